/// The buffers a network's steps read and write, one per node.
///
/// Per-image nodes hold one image (absorbed nodes a placeholder, copies such as Flatten the
/// buffer of their input); batch-tail nodes hold a whole batch. Per-image outputs that the
/// batch steps (or the caller) read are copied into a batch-sized buffer after each image:
/// the bridges.
struct NetworkBuffers {
    /// Each node's per-image buffer (a batch for batch-tail nodes).
    var image: [FloatBuffer] = []
    /// The batch-sized copy of the per-image nodes that the batch reads, by node.
    var batch: [Int: FloatBuffer] = [:]
    /// What `Network.storage` holds: each node's batch buffer if it has one, else its own.
    var storage: [FloatBuffer] { image.indices.map { batch[$0] ?? image[$0] } }
    var bridges: [(source: FloatBuffer, target: FloatBuffer, count: Int)] {
        batch.keys.sorted().map { (image[$0], batch[$0]!, shapes[$0].reduce(1, *)) }
    }
    private let shapes: [[Int]]

    init(graph: Graph, shapes: [[Int]], plan: NetworkPlan, batchSize: Int) {
        self.shapes = shapes
        let nodes = graph.nodes
        let perImage = plan.perImage
        var readByBatch = Set<Int>([graph.output])
        for (i, node) in nodes.enumerated() where !perImage[i] { readByBatch.formUnion(node.inputs) }
        for i in nodes.indices {
            let count = shapes[i].reduce(1, *)
            if plan.absorbed.contains(i) {
                image.append(FloatBuffer(count: 1))   // computed inside a chain, never stored
            } else if perImage[i], nodes[i].op.isCopy, let source = nodes[i].inputs.first, perImage[source], !plan.absorbed.contains(source) {
                image.append(image[source])    // Flatten, Reshape, Dropout: the same floats
            } else {
                image.append(FloatBuffer(count: perImage[i] ? count : count * batchSize))
            }
            if perImage[i] && readByBatch.contains(i) { batch[i] = FloatBuffer(count: count * batchSize) }
        }
    }

}
