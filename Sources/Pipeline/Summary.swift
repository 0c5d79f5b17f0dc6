import FileSystem

/// The end-of-run summary on rank 0: how many photos went to each class, failures by
/// reason, and the accuracy when the manifest gave labels.
struct Summary {
    var perClass: [Int]
    var failuresByReason: [String: Int] = [:]
    var labeled = 0
    var correct = 0
    var failed: Int { failuresByReason.values.reduce(0, +) }
    let classes: [String]

    init(codes: [Int32], list: InputList, classifier: Classifier) throws {
        classes = classifier.classes
        perClass = [Int](repeating: 0, count: classes.count)
        for code in codes {
            if code >= 0 {
                perClass[Int(code)] += 1
            } else if let reason = ResultIndex.reason(of: code) {
                failuresByReason[reason.text, default: 0] += 1
            } else {
                throw PipelineError("internal error: result code \(code) is no known failure")
            }
        }
        guard list.hasLabels else { return }
        try list.forEachChunk(of: 0..<codes.count) { first, items in
            for (offset, item) in items.enumerated() where codes[first + offset] >= 0 {
                guard let label = item.label else { continue }
                labeled += 1
                if label == classes[Int(codes[first + offset])] { correct += 1 }
            }
        }
    }

    var accuracy: Double? { labeled > 0 ? Double(correct) / Double(labeled) : nil }

    func text(placed: Int, placeMode: PlaceMode, output: RawPath) -> String {
        let total = perClass.reduce(0, +) + failed
        var lines = ["\(total) images: " + zip(classes, perClass).map { "\($1) \($0)" }.joined(separator: ", ") + ", \(failed) failed"]
        if !failuresByReason.isEmpty {
            lines.append("failures: " + failuresByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if let accuracy {
            lines.append(String(format: "accuracy: %.2f%% (%d of %d labeled photos)", accuracy * 100, correct, labeled))
        }
        lines.append("results: \(output.appending(RawPath("results.csv")).displayText)" + (placeMode == .none ? "" : "; \(placed) photos placed (\(placeMode.rawValue)) under \(output.displayText)/"))
        return lines.joined(separator: "\n")
    }
}
