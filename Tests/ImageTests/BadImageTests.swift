import FileSystem
import Foundation
import Image
import TestSupport
import XCTest

/// Bad files become specific errors, never a crash or a grey half-image.
final class BadImageTests: XCTestCase {
    let geometry = InputGeometry(height: 256, width: 256, channels: 1)
    var directory: URL!

    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func realPhoto() throws -> [UInt8] { [UInt8](try Data(contentsOf: TestData.photo(stem: "cat.10"))) }

    func error(for bytes: [UInt8]?, name: String = "x.jpg") throws -> ImageError? {
        let url = directory.appendingPathComponent(name)
        if let bytes { try Data(bytes).write(to: url) }
        let preprocessor = ImagePreprocessor(geometry: geometry, maxPixels: 100_000_000)
        var out = [Float](repeating: 0, count: geometry.count)
        do {
            try out.withUnsafeMutableBufferPointer { try preprocessor.load(path: RawPath(url.path), into: $0.baseAddress!) }
            return nil
        } catch {
            return error as? ImageError
        }
    }

    func testMissingFile() throws { XCTAssertEqual(try error(for: nil), .notFound) }

    func testEmptyFile() throws { XCTAssertEqual(try error(for: []), .empty) }

    func testDirectory() throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("d.jpg"), withIntermediateDirectories: true)
        XCTAssertEqual(try error(for: nil, name: "d.jpg"), .isDirectory)
    }

    func testUnsupportedFormatsAreNamed() throws {
        XCTAssertEqual(try error(for: [0x49, 0x49, 0x2A, 0x00] + Noise.bytes(60, seed: 3)), .unsupportedFormat("TIFF signature"))
        XCTAssertEqual(try error(for: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x00, 0x0A, 0, 0]), .unsupportedFormat("damaged PNG signature"))
        XCTAssertEqual(try error(for: Array("GIF88a......".utf8)), .unsupportedFormat("GIF signature of an unknown version"))
        XCTAssertEqual(try error(for: Array("hello, I am text\n".utf8)), .unsupportedFormat("text"))
    }

    func testTruncatedAtSeveralOffsets() throws {
        let photo = try realPhoto()
        for fraction in [0.1, 0.5, 0.9, 0.99] {
            let cut = Array(photo.prefix(Int(Double(photo.count) * fraction)))
            let result = try error(for: cut)
            guard case .truncated(.jpeg, _)? = result else { XCTFail("cut at \(fraction): \(String(describing: result))"); continue }
            XCTAssertTrue(result!.description.hasPrefix("truncated JPEG"))
        }
    }

    func testCorruptEntropyData() throws {
        var photo = try realPhoto()
        // All-ones bits (0xFF stuffed as FF 00) are no valid Huffman code: libjpeg warns
        // "bad Huffman code", which is an error here.
        for i in stride(from: photo.count / 2, to: photo.count / 2 + 64, by: 2) { photo[i] = 0xFF; photo[i + 1] = 0x00 }
        let result = try error(for: photo)
        guard case .corrupt(.jpeg, _)? = result else { return XCTFail("expected a corrupt-data error, got \(String(describing: result))") }
    }

    func testHugeHeaderIsRefusedBeforeDecoding() throws {
        var photo = try realPhoto()
        // Patch the SOF0/SOF2 marker's height and width to 65000.
        var i = 2
        while i + 9 < photo.count {
            if photo[i] == 0xFF && (photo[i + 1] == 0xC0 || photo[i + 1] == 0xC2) {
                photo[i + 5] = 0xFD; photo[i + 6] = 0xE8; photo[i + 7] = 0xFD; photo[i + 8] = 0xE8
                break
            }
            i += 2 + Int(photo[i + 2]) << 8 + Int(photo[i + 3])
        }
        XCTAssertEqual(try error(for: photo), .tooLarge(width: 65000, height: 65000, maxPixels: 100_000_000))
    }
}
