import Image
@testable import Pipeline
import XCTest

/// Failure reasons as numbers: the results index's codes stay what earlier runs wrote, and
/// what travels between ranks comes back as it left.
final class FailureReasonCodeTests: XCTestCase {
    /// code = -(position in the old list of reason texts) - 1: outputs of earlier runs still resume.
    func testIndexCodesAreThoseOfEarlierRuns() {
        // Code 4 was "not a JPEG" before the other formats were read; its text changed, not its code.
        let earlierTexts = ["not found", "directory", "unreadable", "empty file", "unsupported format", "truncated JPEG",
                            "corrupt JPEG", "image too large"]
        XCTAssertEqual(FailureReason.allCases.prefix(8).map(\.text), earlierTexts)
        XCTAssertEqual(FailureReason.allCases.map(\.rawValue), Array(0..<Int32(FailureReason.allCases.count)))
        XCTAssertEqual(FailureReason.allCases.map { ResultIndex.code(of: $0) },
                       Array((-Int32(FailureReason.allCases.count))...(-1)).reversed())
        for reason in FailureReason.allCases { XCTAssertEqual(ResultIndex.reason(of: ResultIndex.code(of: reason)), reason) }
    }

    func testResumeTrustsOnlyCodesItKnows() {
        XCTAssertTrue(ResultIndex.isKnown(0, classCount: 2))
        XCTAssertTrue(ResultIndex.isKnown(1, classCount: 2))
        XCTAssertFalse(ResultIndex.isKnown(2, classCount: 2))
        XCTAssertTrue(ResultIndex.isKnown(-8, classCount: 2))
        XCTAssertTrue(ResultIndex.isKnown(-19, classCount: 2))
        XCTAssertFalse(ResultIndex.isKnown(-20, classCount: 2))   // no such reason: redone on --resume
    }

    func testOutcomesSurviveTheirRecords() throws {
        let outcomes: [Outcome] = [.success(4, [0.25, 0.75]), .failure(7, .truncated(.jpeg, "premature end")),
                                   .failure(9, .unsupportedFormat("TIFF signature")), .failure(10, .corrupt(.webp, "bitstream error")), .success(12, [1, 0])]
        let records = OutcomeRecords(outcomes, outputCount: 2)
        XCTAssertEqual(records.failures.map(\.reason), [FailureReason.truncatedJPEG.rawValue, FailureReason.unsupportedFormat.rawValue,
                                                              FailureReason.corruptWebP.rawValue])
        XCTAssertEqual(try records.outcomes(outputCount: 2, rank: 1), outcomes)
    }

    func testAnUnknownReasonFromAnotherRankStopsTheRun() {
        var records = OutcomeRecords([.failure(3, .empty)], outputCount: 1)
        records.failures[0].reason = 99
        XCTAssertThrowsError(try records.outcomes(outputCount: 1, rank: 2)) { error in
            XCTAssertEqual("\(error)", "internal error: rank 2 sent failure reason 99, which this build does not know")
        }
    }
}
