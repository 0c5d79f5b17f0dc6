import Image

/// A set of outcomes as the flat buffers that travel through MPI_Gatherv: fixed-size
/// numeric records (the input indices, and outputCount values per input, NaN for a
/// failure), one fixed record per failure (its index and reason as numbers), and the
/// failures' messages as text ("message\0" each, in the same order).
struct OutcomeRecords {
    /// A failure as it travels: the input index and `FailureReason.rawValue`.
    struct FailureRecord: BitwiseCopyable {
        var index: Int64
        var reason: Int32
    }

    var indices: [Int64] = []
    var values: [Float] = []
    var failures: [FailureRecord] = []
    var messages: [UInt8] = []

    init(indices: [Int64], values: [Float], failures: [FailureRecord], messages: [UInt8]) {
        (self.indices, self.values, self.failures, self.messages) = (indices, values, failures, messages)
    }

    init(_ outcomes: [Outcome], outputCount: Int) {
        indices.reserveCapacity(outcomes.count)
        values.reserveCapacity(outcomes.count * outputCount)
        for outcome in outcomes {
            indices.append(Int64(outcome.index))
            if let failure = outcome.failure {
                values += [Float](repeating: .nan, count: outputCount)
                failures.append(FailureRecord(index: Int64(outcome.index), reason: failure.reason.rawValue))
                messages += failure.message.utf8.filter { $0 != 0 }
                messages.append(0)
            } else {
                values += outcome.outputs
            }
        }
    }

    /// The outcomes again. A reason code this build does not know can only come from a
    /// rank running another build (or a damaged message): the run stops rather than count
    /// the failure under a wrong reason.
    func outcomes(outputCount: Int, rank: Int) throws -> [Outcome] {
        let texts = messages.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        guard texts.count == failures.count else {
            throw PipelineError("internal error: rank \(rank) sent \(failures.count) failures but \(texts.count) messages")
        }
        var failed: [Int: Outcome.Failure] = [:]
        for (record, message) in zip(failures, texts) {
            guard let reason = FailureReason(rawValue: record.reason) else {
                throw PipelineError("internal error: rank \(rank) sent failure reason \(record.reason), which this build does not know")
            }
            failed[Int(record.index)] = Outcome.Failure(reason: reason, message: message)
        }
        return indices.enumerated().map { position, index in
            let index = Int(index)
            if let failure = failed[index] { return Outcome(index: index, outputs: [], failure: failure) }
            return .success(index, Array(values[(position * outputCount)..<((position + 1) * outputCount)]))
        }
    }
}
