import Foundation

/// Turns model outputs into a label and the confidence of that label.
/// One output: a probability p (the sigmoid of the output unless the model already ends
/// in a sigmoid); label = classes[1] if p >= threshold else classes[0]; score = p or 1 - p.
/// Several outputs: argmax; score = its softmax probability (the output itself when the
/// model already ends in a softmax).
public struct Classifier: Sendable {
    public let classes: [String]
    public let threshold: Float
    public let outputsAreProbabilities: Bool

    public init(classes: [String], threshold: Float, outputsAreProbabilities: Bool) {
        self.classes = classes; self.threshold = threshold; self.outputsAreProbabilities = outputsAreProbabilities
    }

    /// Checks that the class names fit the model's outputs.
    public func validate(outputCount: Int) throws {
        let needed = outputCount == 1 ? 2 : outputCount
        if classes.count != needed {
            throw PipelineError("--classes names \(classes.count) classes (\(classes.joined(separator: ","))) but the model has \(outputCount) output(s), which need \(needed) names")
        }
    }

    public func classify(_ outputs: ArraySlice<Float>) -> (classIndex: Int, score: Float) {
        if outputs.count == 1 {
            let raw = outputs.first!
            let p = outputsAreProbabilities ? raw : 1 / (1 + expf(-raw))
            return p >= threshold ? (1, p) : (0, 1 - p)
        }
        var best = outputs.startIndex
        for i in outputs.indices where outputs[i] > outputs[best] { best = i }
        if outputsAreProbabilities { return (best - outputs.startIndex, outputs[best]) }
        let maximum = outputs[best]
        let total = outputs.reduce(Float(0)) { $0 + expf($1 - maximum) }
        return (best - outputs.startIndex, 1 / total)
    }
}
