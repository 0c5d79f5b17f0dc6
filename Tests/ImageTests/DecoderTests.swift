import Foundation
import Image
import TestSupport
import XCTest

/// The row-selective libjpeg decoder against TurboJPEG's whole-image decode.
final class DecoderTests: XCTestCase {
    /// Every dev and seed photo: the rows we decode (skipping the others) equal the same
    /// rows of a full TurboJPEG decode with the same IFAST DCT.
    func testSelectedRowsEqualFullDecode() throws {
        let decoder = JPEGDecoder()
        var urls = try FileManager.default.contentsOfDirectory(at: TestData.seedPhotos, includingPropertiesForKeys: nil)
        for folder in ["cats", "dogs"] {
            let all = try FileManager.default.contentsOfDirectory(at: TestData.photos.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            urls += all.sorted { $0.path < $1.path }.enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
        }
        var compared = 0
        for url in urls {
            let bytes = [UInt8](try Data(contentsOf: url))
            guard let reference = turboJPEGDecode(bytes) else { XCTFail("TurboJPEG cannot decode \(url.lastPathComponent)"); continue }
            let rows = ResizeAxis(inputSize: reference.height, outputSize: 256).sourceIndices
            var out = [UInt8](repeating: 0, count: rows.count * reference.width * 4)
            try bytes.withUnsafeBytes { raw in
                let header = try decoder.readHeader(raw)
                XCTAssertEqual(header.width, reference.width)
                try out.withUnsafeMutableBufferPointer { try decoder.decode(rows: rows, scaleDenominator: 1, fastDCT: true, into: $0.baseAddress!) }
            }
            // Our rows are RGBX; compare their RGB bytes.
            let width = reference.width
            for (i, row) in rows.enumerated() {
                let ours = (0..<(width * 4)).filter { $0 % 4 != 3 }.map { out[i * width * 4 + $0] }
                if ours[...] != reference.rgb[(Int(row) * width * 3)..<((Int(row) + 1) * width * 3)] {
                    XCTFail("\(url.lastPathComponent): row \(row) differs from the full decode")
                    break
                }
            }
            compared += 1
        }
        XCTAssertGreaterThan(compared, 400)
    }
}
