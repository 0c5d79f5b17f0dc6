/// The wiring of a Keras Functional model: which layers feed a layer (`inbound_nodes`) and
/// which are the model's inputs and outputs, in Keras 2 and Keras 3 spellings.
enum KerasInbound {
    /// Names in `input_layers` / `output_layers`: [[name, node, tensor], ...] or [name, node, tensor].
    static func layerNames(_ value: Any?) -> [String] {
        if let list = value as? [[Any]] { return list.compactMap { $0.first as? String } }
        if let single = value as? [Any], let name = single.first as? String { return [name] }
        return []
    }

    /// The layers whose outputs this layer reads, in argument order.
    static func sources(of entry: Any, layer: KerasLayerConfig) throws(ModelError) -> [String] {
        guard let nodes = (entry as? [String: Any])?["inbound_nodes"] as? [Any] else { return [] }
        if nodes.isEmpty { return [] }
        if nodes.count > 1 {
            throw ModelError("layer '\(layer.name)' (\(layer.className)): called \(nodes.count) times; shared layers are not supported")
        }
        // Keras 2: [[name, nodeIndex, tensorIndex, kwargs], ...]
        if let calls = nodes[0] as? [[Any]] {
            return try calls.map { call throws(ModelError) in
                guard let name = call.first as? String else { throw ModelError("layer '\(layer.name)': unreadable inbound node") }
                if let node = call.dropFirst().first as? Int, node != 0 {
                    throw ModelError("layer '\(layer.name)' (\(layer.className)): reads call \(node) of '\(name)'; shared layers are not supported")
                }
                return name
            }
        }
        // Keras 3: {"args": [tensor or [tensors]], "kwargs": {}} with tensors as {"config": {"keras_history": [name, node, tensor]}}.
        if let call = nodes[0] as? [String: Any], let args = call["args"] as? [Any] {
            var names: [String] = []
            func collect(_ value: Any) {
                if let tensor = value as? [String: Any], let history = (tensor["config"] as? [String: Any])?["keras_history"] as? [Any],
                   let name = history.first as? String {
                    names.append(name)
                } else if let list = value as? [Any] {
                    list.forEach(collect)
                }
            }
            args.forEach(collect)
            return names
        }
        throw ModelError("layer '\(layer.name)' (\(layer.className)): unreadable inbound_nodes")
    }
}
