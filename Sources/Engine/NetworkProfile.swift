import Foundation

/// Per-node costs, for engine-bench and the benchmark's compute ceiling.
extension Network {
    /// Multiply-adds x 2 of the convolutions and dense layers for one image.
    public var flopsPerImage: Int {
        var total = 0
        for (i, node) in graph.nodes.enumerated() {
            let outputCount = shapes[i].reduce(1, *)
            switch node.op {
            case .conv2D(let a):
                let inputChannels = shapes[node.inputs[0]].last ?? 0
                total += 2 * outputCount * a.kernel[0] * a.kernel[1] * inputChannels
            case .dense:
                total += 2 * outputCount * (shapes[node.inputs[0]].first ?? 0)
            default:
                break
            }
        }
        return total
    }

    /// One line per per-image step and batch step: the fastest of `repeats` runs (the
    /// least disturbed by anything else on the machine).
    public func profile(input: [Float], repeats: Int) -> [String] {
        storage[0].pointer.update(from: input, count: input.count)
        func fastest(_ body: () -> Void) -> Double {
            (0..<repeats).map { _ in
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            }.min()!
        }
        var lines: [String] = []
        for (position, step) in perImageSteps.enumerated() {
            let seconds = fastest(step)
            lines.append(String(format: "  per image  step %2d %-24@ %8.3f ms", position, perImageStepNames[position] as NSString, seconds * 1e3))
        }
        for (position, step) in batchSteps.enumerated() {
            let seconds = fastest { step(batchSize) }
            lines.append(String(format: "  batch %3d  step %2d %-24@ %8.3f ms/image", batchSize, position, batchStepNames[position] as NSString, seconds * 1e3 / Double(batchSize)))
        }
        return lines
    }
}
