import FileSystem
import Foundation
import Image
import TestSupport
import XCTest

/// The preprocessing must equal TensorFlow's input tensors bit for bit.
final class PreprocessingTests: XCTestCase {
    func preprocess(_ url: URL, _ geometry: InputGeometry, fastDecode: Bool = false) throws -> [Float] {
        let preprocessor = ImagePreprocessor(geometry: geometry, fastDecode: fastDecode)
        var out = [Float](repeating: .nan, count: geometry.count)
        try out.withUnsafeMutableBufferPointer { try preprocessor.load(path: RawPath(url.path), into: $0.baseAddress!) }
        return out
    }

    func testGreyInputsEqualTensorFlow() throws {
        for stem in TestData.goldenInputStems {
            let golden = try readNPY(TestData.goldens.appendingPathComponent("input_catsordogs_\(stem).npy"))
            XCTAssertEqual(golden.shape.suffix(3), [256, 256, 1])
            let actual = try preprocess(TestData.photo(stem: stem), InputGeometry(height: 256, width: 256, channels: 1))
            checkTensor(actual, golden.values, "grey input \(stem)", tolerance: 0)
        }
    }

    func testRGBInputsEqualTensorFlow() throws {
        for stem in TestData.goldenInputStems {
            let golden = try readNPY(TestData.goldens.appendingPathComponent("input_mobilenetv2_\(stem).npy"))
            XCTAssertEqual(golden.shape.suffix(3), [224, 224, 3])
            let actual = try preprocess(TestData.photo(stem: stem), InputGeometry(height: 224, width: 224, channels: 3))
            checkTensor(actual, golden.values, "RGB input \(stem)", tolerance: 0)
        }
    }

    /// Fast decode is close to, not equal to, the exact pipeline.
    func testFastDecodeIsClose() throws {
        let url = TestData.seedPhotos.appendingPathComponent("dog.2.jpeg")
        let geometry = InputGeometry(height: 256, width: 256, channels: 1)
        let exact = try preprocess(url, geometry)
        let fast = try preprocess(url, geometry, fastDecode: true)
        let meanDifference = zip(exact, fast).map { abs($0 - $1) }.reduce(0, +) / Float(exact.count)
        XCTAssertLessThan(meanDifference, 0.05)
        XCTAssertNotEqual(exact, fast)
    }

    func testResizeAxisFollowsHalfPixelCentres() {
        // in 4 -> out 2: scale 2, src = 0.5 and 2.5.
        let down = ResizeAxis(inputSize: 4, outputSize: 2)
        XCTAssertEqual(down.lower, [0, 2]); XCTAssertEqual(down.upper, [1, 3]); XCTAssertEqual(down.lerp, [0.5, 0.5])
        // in 2 -> out 4: scale 0.5, src = -0.25, 0.25, 0.75, 1.25: clamped at both ends.
        let up = ResizeAxis(inputSize: 2, outputSize: 4)
        XCTAssertEqual(up.lower, [0, 0, 0, 1]); XCTAssertEqual(up.upper, [0, 1, 1, 1]); XCTAssertEqual(up.lerp, [0.75, 0.25, 0.75, 0.25])
        XCTAssertEqual(up.sourceIndices, [0, 1])
    }
}

/// The vectorised grey conversion against TensorFlow's per-pixel formula, on every colour.
final class GreyConversionTests: XCTestCase {
    func testEveryColourMatchesTheScalarFormula() {
        var pixels = [UInt8](repeating: 0, count: 256 * 256 * 4)
        var grey = [Float](repeating: 0, count: 256 * 256)
        var expected = grey
        var mismatches = 0
        for r in 0..<256 {
            for g in 0..<256 {
                for b in 0..<256 {
                    let i = g * 256 + b
                    pixels[4 * i] = UInt8(r); pixels[4 * i + 1] = UInt8(g); pixels[4 * i + 2] = UInt8(b)
                    let toUnit: Float = 1.0 / 255.0
                    let y = (Float(r) * toUnit) * 0.2989 + (Float(g) * toUnit) * 0.5870 + (Float(b) * toUnit) * 0.1140
                    expected[i] = Float(UInt8(y * 255.5))
                }
            }
            ImagePreprocessor.greyForTesting(pixels, into: &grey)
            mismatches += zip(grey, expected).filter { $0 != $1 }.count
        }
        XCTAssertEqual(mismatches, 0)
    }
}
