import Image

/// What became of one input: the model's outputs, or the reason it has none.
public struct Outcome: Equatable, Sendable {
    public var index: Int
    public var outputs: [Float]
    public var failure: Failure?

    public struct Failure: Equatable, Sendable {
        public var reason: String    // a short category for the summary, e.g. "truncated JPEG"
        public var message: String   // the error column
    }

    public static func success(_ index: Int, _ outputs: [Float]) -> Outcome {
        Outcome(index: index, outputs: outputs, failure: nil)
    }

    public static func failure(_ index: Int, _ error: ImageError) -> Outcome {
        Outcome(index: index, outputs: [], failure: Failure(reason: error.reason, message: error.description))
    }
}

/// A set of outcomes as the flat buffers that travel through MPI_Gatherv: fixed-size
/// numeric records (the input indices, and outputCount values per input, NaN for a
/// failure) and the failure texts separately ("index\0reason\0message\0" per failure).
struct OutcomeRecords {
    var indices: [Int64] = []
    var values: [Float] = []
    var texts: [UInt8] = []

    init(indices: [Int64] = [], values: [Float] = [], texts: [UInt8] = []) {
        self.indices = indices; self.values = values; self.texts = texts
    }

    init(_ outcomes: [Outcome], outputCount: Int) {
        indices.reserveCapacity(outcomes.count)
        values.reserveCapacity(outcomes.count * outputCount)
        for outcome in outcomes {
            indices.append(Int64(outcome.index))
            if let failure = outcome.failure {
                values += [Float](repeating: .nan, count: outputCount)
                for field in ["\(outcome.index)", failure.reason, failure.message] {
                    texts += field.utf8.filter { $0 != 0 }
                    texts.append(0)
                }
            } else {
                values += outcome.outputs
            }
        }
    }

    func outcomes(outputCount: Int) -> [Outcome] {
        var failures: [Int: Outcome.Failure] = [:]
        let fields = texts.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        for i in stride(from: 0, to: fields.count - 2, by: 3) {
            if let index = Int(fields[i]) { failures[index] = Outcome.Failure(reason: fields[i + 1], message: fields[i + 2]) }
        }
        return indices.enumerated().map { position, index in
            let index = Int(index)
            if let failure = failures[index] { return Outcome(index: index, outputs: [], failure: failure) }
            return .success(index, Array(values[(position * outputCount)..<((position + 1) * outputCount)]))
        }
    }
}
