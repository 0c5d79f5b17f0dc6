import CInterpolate
import Image
import XCTest

/// The C horizontal-resize step (vector permutes where the CPU has them) gives the plain
/// loop's floats bit for bit, for shrinking, enlarging, the row's last columns and
/// sources too far apart for one permute.
final class InterpolationTests: XCTestCase {
    func testRowInterpolationEqualsThePlainLoop() {
        var generator = SystemRandomNumberGenerator()
        for sourceWidth in [1, 2, 15, 16, 17, 31, 32, 33, 100, 257, 400, 427, 500, 513, 1203, 2840] {
            for outputWidth in [1, 15, 16, 17, 224, 256, 300] {
                let axis = ResizeAxis(inputSize: sourceWidth, outputSize: outputWidth)
                let row = (0..<sourceWidth).map { _ in Float(UInt8.random(in: 0...255, using: &generator)) }
                let expected = (0..<outputWidth).map { x in
                    let a = row[Int(axis.lower[x])], b = row[Int(axis.upper[x])]
                    return a + (b - a) * axis.lerp[x]
                }
                var actual = [Float](repeating: .nan, count: outputWidth)
                dc_interpolate_row(row, Int32(sourceWidth), axis.lower, axis.upper, axis.lerp, Int32(outputWidth), &actual)
                let first = (0..<outputWidth).first { actual[$0].bitPattern != expected[$0].bitPattern }
                XCTAssertNil(first, "\(sourceWidth) -> \(outputWidth): output \(first ?? 0) is \(actual[first ?? 0]), the loop gives \(expected[first ?? 0])")
            }
        }
    }
}
