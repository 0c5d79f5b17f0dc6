import XCTest

/// Compares two tensors elementwise: fails with the first mismatching pairs and the largest
/// difference, in the manner of llm.c's check_tensor. Returns the largest difference.
@discardableResult
public func checkTensor(_ actual: [Float], _ expected: [Float], _ label: String, tolerance: Float,
                        file: StaticString = #filePath, line: UInt = #line) -> Float {
    guard actual.count == expected.count else {
        XCTFail("\(label): \(actual.count) values, expected \(expected.count)", file: file, line: line)
        return .infinity
    }
    var maxDifference: Float = 0
    var mismatches: [String] = []
    for i in actual.indices {
        let difference = abs(actual[i] - expected[i])
        if !(difference <= tolerance) {
            if mismatches.count < 5 { mismatches.append("[\(i)] \(actual[i]) vs \(expected[i])") }
        }
        if !(difference <= maxDifference) { maxDifference = difference.isNaN ? .infinity : difference }
    }
    if !mismatches.isEmpty {
        XCTFail("\(label): max difference \(maxDifference) > \(tolerance); first: \(mismatches.joined(separator: ", "))", file: file, line: line)
    }
    return maxDifference
}
