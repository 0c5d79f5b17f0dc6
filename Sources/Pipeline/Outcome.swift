import Image

/// What became of one input: the model's outputs, or the reason it has none.
public struct Outcome: Equatable, Sendable {
    public var index: Int
    public var outputs: [Float]
    public var failure: Failure?

    public struct Failure: Equatable, Sendable {
        public var reason: FailureReason   // what the summary counts, e.g. .truncatedJPEG
        public var message: String         // the error column
    }

    public static func success(_ index: Int, _ outputs: [Float]) -> Outcome {
        Outcome(index: index, outputs: outputs, failure: nil)
    }

    public static func failure(_ index: Int, _ error: ImageError) -> Outcome {
        Outcome(index: index, outputs: [], failure: Failure(reason: error.reason, message: error.description))
    }
}
