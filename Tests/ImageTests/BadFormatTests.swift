import FileSystem
import Foundation
import Image
import TestSupport
import XCTest

/// Damaged PNG, GIF, WebP and BMP files become specific errors, never a crash, a hang or a
/// half-black image; sizes beyond --max-pixels are refused before anything that size is
/// allocated. The damage is made at test time from ../shared/data/formats and tiny files
/// written here.
final class BadFormatTests: XCTestCase {
    let geometry = InputGeometry(height: 256, width: 256, channels: 1)

    func formatsFile(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: TestData.shared.appendingPathComponent("data/formats/\(name)")))
    }

    /// The preprocessing's error for `bytes`, or nil when it succeeds.
    func error(for bytes: [UInt8], maxPixels: Int = 100_000_000) -> ImageError? {
        let preprocessor = ImagePreprocessor(geometry: geometry, maxPixels: maxPixels)
        var out = [Float](repeating: 0, count: geometry.count)
        do {
            try bytes.withUnsafeBytes { raw in
                try out.withUnsafeMutableBufferPointer { try preprocessor.preprocess(raw, into: $0.baseAddress!) }
            }
            return nil
        } catch {
            return error as? ImageError
        }
    }

    func assertTruncated(_ bytes: [UInt8], _ format: ImageFormat, at fractions: [Double] = [0.05, 0.3, 0.6, 0.95],
                         file: StaticString = #filePath, line: UInt = #line) {
        for fraction in fractions {
            let result = error(for: Array(bytes.prefix(Int(Double(bytes.count) * fraction))))
            guard case .truncated(format, _)? = result else {
                XCTFail("\(format.name) cut at \(fraction): \(String(describing: result))", file: file, line: line)
                continue
            }
        }
    }

    func assertCorrupt(_ result: ImageError?, _ format: ImageFormat, _ text: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        guard case .corrupt(format, let detail)? = result else {
            return XCTFail("expected a corrupt \(format.name), got \(String(describing: result))", file: file, line: line)
        }
        if let text { XCTAssertTrue(detail.contains(text), detail, file: file, line: line) }
    }

    // MARK: PNG

    func testTruncatedPNG() throws {
        for name in ["png_rgb_000.png", "png_palette_003.PNG", "png_rgb16_000bec180eb18c7604dcecc8fe0dba07.png"] {
            assertTruncated(try formatsFile(name), .png)
        }
    }

    func testBadCRCInImageDataIsCorrupt() throws {
        let png = PNGChunks.editing(try formatsFile("png_rgb_000.png"), "IDAT", fixCRC: false) { $0[$0.count / 2] ^= 0x10 }
        assertCorrupt(error(for: png), .png, "CRC")
    }

    func testBadZlibStreamIsCorrupt() throws {
        // The CRC is right, so only the compressed data is wrong: a bad zlib header.
        let png = PNGChunks.editing(try formatsFile("png_grey_001.png"), "IDAT") { $0[0] = 0x7F; $0[1] = 0xFF }
        assertCorrupt(error(for: png), .png)
        // A run of garbage in the middle of the deflate stream.
        let garbled = PNGChunks.editing(try formatsFile("png_grey_001.png"), "IDAT") { data in
            for i in (data.count / 2)..<(data.count / 2 + 64) { data[i] = 0xFF }
        }
        assertCorrupt(error(for: garbled), .png)
    }

    func testHugePNGHeaderIsRefusedBeforeDecoding() throws {
        let png = PNGChunks.editing(PNGWriter.rgb(width: 3, height: 2), "IHDR") { header in
            header.replaceSubrange(0..<8, with: PNGWriter.bigEndian32(60000) + PNGWriter.bigEndian32(60000))
        }
        XCTAssertEqual(error(for: png), .tooLarge(width: 60000, height: 60000, maxPixels: 100_000_000))
    }

    /// A 40 KB file of an 8000x8000 black image: decoded row by row, only the rows the resize
    /// reads are kept; with a lower --max-pixels it is refused from its header.
    func testDecompressionBombIsBoundedByTheRowsKept() throws {
        let bomb = try python("""
            import sys, zlib, struct
            w = h = 8000
            def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
            raw = (b"\\0" * (w + 1)) * h
            png = b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) \\
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
            sys.stdout.buffer.write(png)
            """)
        XCTAssertLessThan(bomb.count, 200_000)
        XCTAssertNil(error(for: bomb))
        XCTAssertEqual(error(for: bomb, maxPixels: 10_000_000), .tooLarge(width: 8000, height: 8000, maxPixels: 10_000_000))
    }

    /// As TensorFlow 2.21 does (checked): bytes after IEND are not read, a missing IEND is an error.
    func testPNGIsReadUpToIEND() throws {
        let png = try formatsFile("png_grey_001.png")
        XCTAssertNil(error(for: png + Noise.bytes(100, seed: 5)))
        guard case .truncated(.png, _)? = error(for: Array(png.dropLast(12))) else {
            return XCTFail("no IEND: \(String(describing: error(for: Array(png.dropLast(12)))))")
        }
    }

    // MARK: GIF

    func testTruncatedGIF() throws {
        assertTruncated(try formatsFile("gif_005.gif"), .gif)
        // Cut in the second half of an animation: frame 0 is whole, a later frame is not.
        assertTruncated(try formatsFile("gif_animated_011.gif"), .gif, at: [0.7, 0.9, 0.99])
    }

    /// TinyGIF's layout: logical screen size at 6, image descriptor at 27 (size at 32), data at 37.
    func testGIFSizesAreCheckedBeforeAllocation() {
        var hugeScreen = TinyGIF.bytes
        hugeScreen.replaceSubrange(6..<10, with: [0x60, 0xEA, 0x60, 0xEA])   // 60000 x 60000
        XCTAssertEqual(error(for: hugeScreen), .tooLarge(width: 60000, height: 60000, maxPixels: 100_000_000))
        var hugeFrame = TinyGIF.bytes
        hugeFrame.replaceSubrange(32..<36, with: [0xFF, 0xFF, 0xFF, 0xFF])    // a 65535 x 65535 frame on a 1x1 screen
        assertCorrupt(error(for: hugeFrame), .gif, "pixel limit")
        var zeroFrame = TinyGIF.bytes
        zeroFrame.replaceSubrange(32..<34, with: [0, 0])
        assertCorrupt(error(for: zeroFrame), .gif, "zero-size frame")
        var zeroScreen = TinyGIF.bytes
        zeroScreen.replaceSubrange(6..<8, with: [0, 0])
        assertCorrupt(error(for: zeroScreen), .gif, "zero-size")
    }

    func testBrokenSecondFrameFailsTheFile() {
        let header = Array(TinyGIF.bytes[0..<19]), frame = Array(TinyGIF.bytes[19..<42])   // GCE + descriptor + data
        XCTAssertNil(error(for: header + frame + frame + [0x3B]), "two good frames")
        var zeroSecond = frame
        zeroSecond[8 + 5] = 0; zeroSecond[8 + 6] = 0                                         // second frame 0 wide
        assertCorrupt(error(for: header + frame + zeroSecond + [0x3B]), .gif, "zero-size frame")
        guard case .truncated(.gif, _)? = error(for: header + frame + Array(frame.prefix(frame.count - 3))) else {
            return XCTFail("a second frame cut short: \(String(describing: error(for: header + frame + Array(frame.prefix(frame.count - 3)))))")
        }
    }

    // MARK: WebP

    func testTruncatedWebP() throws {
        assertTruncated(try formatsFile("webp_lossy_006.webp"), .webp)
        assertTruncated(try formatsFile("webp_lossless_007.webp"), .webp)
    }

    func testCorruptWebPHeader() throws {
        var webp = try formatsFile("webp_lossy_006.webp")
        webp.replaceSubrange(12..<16, with: Array("XXXX".utf8))   // the VP8 chunk's name
        assertCorrupt(error(for: webp), .webp)
    }

    func testHugeWebPHeaderIsRefusedBeforeDecoding() throws {
        var webp = try formatsFile("webp_lossy_006.webp")
        XCTAssertEqual(Array(webp[12..<16]), Array("VP8 ".utf8))
        // The key frame's 14-bit width and height, after the 3-byte frame tag and the start code.
        webp.replaceSubrange(26..<30, with: [0xFF, 0x3F, 0xFF, 0x3F])
        XCTAssertEqual(error(for: webp), .tooLarge(width: 16383, height: 16383, maxPixels: 100_000_000))
    }

    // MARK: BMP

    func testBMP() throws {
        let bmp = try formatsFile("bmp_008.bmp")
        assertTruncated(bmp, .bmp)
        var huge = bmp
        huge.replaceSubrange(18..<26, with: [0x60, 0xEA, 0, 0, 0x60, 0xEA, 0, 0])
        XCTAssertEqual(error(for: huge), .tooLarge(width: 60000, height: 60000, maxPixels: 100_000_000))
        var eightBit = bmp
        eightBit[28] = 8
        XCTAssertEqual(error(for: eightBit), .unsupportedFormat("BMP with 8 bits per pixel, compression 0"))
        var badOffset = bmp
        badOffset.replaceSubrange(10..<14, with: [4, 0, 0, 0])
        assertCorrupt(error(for: badOffset), .bmp, "offset")
        XCTAssertNil(error(for: bmp), "the undamaged file")
    }

    /// Runs a Python script and returns what it writes to stdout.
    func python(_ script: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return [UInt8](data)
    }
}
