import CTurboJPEG
import Foundation
import Image
import TestSupport
import XCTest

/// Grey and CMYK JPEGs, which the dev photos do not include: made from a real photo with
/// TurboJPEG (tjCompress2) and checked against a reference computed here from TurboJPEG's
/// whole-image decode, step by step as TensorFlow does it:
///   decode_jpeg(channels=3, IFAST DCT, fancy upsampling): grey replicated to R=G=B; CMYK
///   converted by jpeg_mem.cc's formula (Adobe files store inverted CMYK: r = k*c/255,
///   otherwise r = (255-k)*(255-c)/255), in integers
///   -> [rgb_to_grayscale: y = r/255*0.2989 + g/255*0.5870 + b/255*0.1140, trunc(y*255.5)]
///   -> resize(bilinear, half-pixel centres, float32) -> / 255.
/// Equal bit for bit (tolerance 0).
final class ColourSpaceTests: XCTestCase {
    static let grey = InputGeometry(height: 256, width: 256, channels: 1)
    static let rgb = InputGeometry(height: 224, width: 224, channels: 3)

    /// A real photo's RGB pixels.
    func photo() throws -> (width: Int, height: Int, rgb: [UInt8]) {
        let bytes = [UInt8](try Data(contentsOf: TestData.photo(stem: "cat.10")))
        return try XCTUnwrap(turboJPEGDecode(bytes), "TurboJPEG cannot decode cat.10")
    }

    // MARK: - Grey

    func testGreyJPEGIsDecodedAsTensorFlowDoes() throws {
        let source = try photo()
        var pixels = [UInt8](repeating: 0, count: source.width * source.height)
        for i in pixels.indices {
            let sum = Int(source.rgb[3 * i]) + Int(source.rgb[3 * i + 1]) + Int(source.rgb[3 * i + 2])
            pixels[i] = UInt8(sum / 3)
        }
        for progressive in [false, true] {
            let jpeg = try compress(pixels, width: source.width, height: source.height, format: TJPF_GRAY,
                                    subsampling: TJSAMP_GRAY, flags: progressive ? TJFLAG_PROGRESSIVE : 0)
            let header = try readHeader(jpeg)
            XCTAssertFalse(header.isCMYK)
            XCTAssertEqual(header.isProgressive, progressive)
            // TurboJPEG's own decode to RGB: a grey JPEG comes out as R = G = B.
            let decoded = try decode(jpeg, format: TJPF_RGB, channels: 3)
            var own = [UInt8](repeating: 0, count: decoded.width * decoded.height)
            var unequal = 0
            for i in own.indices {
                let r = decoded.pixels[3 * i], g = decoded.pixels[3 * i + 1], b = decoded.pixels[3 * i + 2]
                if r != g || r != b { unequal += 1 }
                own[i] = r
            }
            XCTAssertEqual(unequal, 0, "grey decoded to RGB is not R = G = B")
            let label = progressive ? "progressive grey" : "grey"
            checkTensor(try preprocess(jpeg, Self.grey), reference(rgb: decoded.pixels, width: decoded.width, height: decoded.height, geometry: Self.grey),
                        "\(label) JPEG, grey model input", tolerance: 0)
            checkTensor(try preprocess(jpeg, Self.rgb), reference(rgb: decoded.pixels, width: decoded.width, height: decoded.height, geometry: Self.rgb),
                        "\(label) JPEG, RGB model input", tolerance: 0)
            // rgb_to_grayscale of R = G = B = g is g again: a grey photo's grey input is its own pixels, resized.
            checkTensor(try preprocess(jpeg, Self.grey), resize(own.map(Float.init), width: decoded.width, height: decoded.height, channels: 1, to: Self.grey),
                        "\(label) JPEG against its own pixels", tolerance: 0)
        }
    }

    // MARK: - CMYK

    /// tjCompress2 with TJPF_CMYK writes a YCCK JPEG with an Adobe marker (inverted CMYK).
    func testAdobeCMYKJPEGUsesTensorFlowsConversion() throws {
        let cmyk = try cmykPixels()
        let jpeg = try compress(cmyk.pixels, width: cmyk.width, height: cmyk.height, format: TJPF_CMYK, subsampling: TJSAMP_420)
        XCTAssertNotNil(adobeSegment(jpeg), "TurboJPEG wrote no Adobe marker")
        let header = try readHeader(jpeg)
        XCTAssertTrue(header.isCMYK)
        XCTAssertTrue(header.sawAdobeMarker)
        try checkCMYK(jpeg, adobe: true, label: "Adobe YCCK 4:2:0")
    }

    /// The same file without its Adobe marker: libjpeg then takes the 4 components as plain
    /// CMYK, and TensorFlow's formula for non-inverted CMYK applies.
    func testCMYKJPEGWithoutAdobeMarkerUsesTheOtherFormula() throws {
        let cmyk = try cmykPixels()
        let compressed = try compress(cmyk.pixels, width: cmyk.width, height: cmyk.height, format: TJPF_CMYK, subsampling: TJSAMP_444)
        let adobe = try XCTUnwrap(adobeSegment(compressed))
        let jpeg = Array(compressed[..<adobe.lowerBound] + compressed[adobe.upperBound...])
        let header = try readHeader(jpeg)
        XCTAssertTrue(header.isCMYK)
        XCTAssertFalse(header.sawAdobeMarker)
        try checkCMYK(jpeg, adobe: false, label: "CMYK without Adobe marker")
    }

    /// TensorFlow's conversion itself, on values where the two formulas differ.
    func testCMYKFormulaIsTensorFlows() throws {
        let c = 200, m = 100, y = 50, k = 30
        // Adobe (inverted): k*c/255 ... in integers.
        XCTAssertEqual(tensorFlowRGB(c: c, m: m, y: y, k: k, adobe: true).map(Int.init), [30 * 200 / 255, 30 * 100 / 255, 30 * 50 / 255])
        XCTAssertEqual(tensorFlowRGB(c: c, m: m, y: y, k: k, adobe: false).map(Int.init), [225 * 55 / 255, 225 * 155 / 255, 225 * 205 / 255])
    }

    func checkCMYK(_ jpeg: [UInt8], adobe: Bool, label: String) throws {
        // TurboJPEG's whole-image decode to CMYK (libjpeg's YCCK -> CMYK), then TF's formula.
        let decoded = try decode(jpeg, format: TJPF_CMYK, channels: 4)
        var rgb = [UInt8](repeating: 0, count: decoded.width * decoded.height * 3)
        for i in 0..<(decoded.width * decoded.height) {
            let p = decoded.pixels[(4 * i)..<(4 * i + 4)].map(Int.init)
            let (r, g, b) = tensorFlowTuple(c: p[0], m: p[1], y: p[2], k: p[3], adobe: adobe)
            rgb[3 * i] = r; rgb[3 * i + 1] = g; rgb[3 * i + 2] = b
        }
        checkTensor(try preprocess(jpeg, Self.grey), reference(rgb: rgb, width: decoded.width, height: decoded.height, geometry: Self.grey),
                    "\(label), grey model input", tolerance: 0)
        checkTensor(try preprocess(jpeg, Self.rgb), reference(rgb: rgb, width: decoded.width, height: decoded.height, geometry: Self.rgb),
                    "\(label), RGB model input", tolerance: 0)
        // Not a blank image: the conversion kept the photo.
        let values = try preprocess(jpeg, Self.grey)
        XCTAssertGreaterThan(Set(values).count, 50, "\(label): the input is nearly constant")
    }

    /// Inverted (Adobe) CMYK pixels from the photo: C, M, Y follow R, G, B and K varies across it.
    func cmykPixels() throws -> (width: Int, height: Int, pixels: [UInt8]) {
        let source = try photo()
        var pixels = [UInt8](repeating: 0, count: source.width * source.height * 4)
        for y in 0..<source.height {
            for x in 0..<source.width {
                let i = y * source.width + x
                pixels[4 * i] = source.rgb[3 * i]
                pixels[4 * i + 1] = source.rgb[3 * i + 1]
                pixels[4 * i + 2] = source.rgb[3 * i + 2]
                pixels[4 * i + 3] = UInt8(255 - (x + 2 * y) % 96)
            }
        }
        return (source.width, source.height, pixels)
    }

    func tensorFlowTuple(c: Int, m: Int, y: Int, k: Int, adobe: Bool) -> (UInt8, UInt8, UInt8) {
        let v = tensorFlowRGB(c: c, m: m, y: y, k: k, adobe: adobe)
        return (v[0], v[1], v[2])
    }

    /// jpeg_mem.cc: `if (cinfo.saw_Adobe_marker) r = (k * c) / 255; else r = (255 - k) * (255 - c) / 255;` ...
    func tensorFlowRGB(c: Int, m: Int, y: Int, k: Int, adobe: Bool) -> [UInt8] {
        adobe ? [k * c / 255, k * m / 255, k * y / 255].map { UInt8($0) }
              : [(255 - k) * (255 - c) / 255, (255 - k) * (255 - m) / 255, (255 - k) * (255 - y) / 255].map { UInt8($0) }
    }

    // MARK: - The reference pipeline

    /// RGB bytes -> [grey] -> bilinear resize -> / 255, as TensorFlow.
    func reference(rgb: [UInt8], width: Int, height: Int, geometry: InputGeometry) -> [Float] {
        if geometry.channels == 3 { return resize(rgb.map(Float.init), width: width, height: height, channels: 3, to: geometry) }
        let grey = (0..<(width * height)).map { i -> Float in
            let toUnit: Float = 1.0 / 255.0
            let y = (Float(rgb[3 * i]) * toUnit) * 0.2989 + (Float(rgb[3 * i + 1]) * toUnit) * 0.5870 + (Float(rgb[3 * i + 2]) * toUnit) * 0.1140
            return Float(UInt8(y * 255.5))
        }
        return resize(grey, width: width, height: height, channels: 1, to: geometry)
    }

    /// tf.image.resize(bilinear, antialias=False) then / 255, in float32: half-pixel centres,
    /// top = tl + (tr - tl) * xl, bottom = bl + (br - bl) * xl, top + (bottom - top) * yl.
    func resize(_ image: [Float], width: Int, height: Int, channels: Int, to geometry: InputGeometry) -> [Float] {
        func axis(_ input: Int, _ output: Int) -> [(lower: Int, upper: Int, lerp: Float)] {
            let scale = Float(input) / Float(output)
            return (0..<output).map { i in
                let source = (Float(i) + 0.5) * scale - 0.5
                let floor = source.rounded(.down)
                return (max(Int(floor), 0), min(Int(source.rounded(.up)), input - 1), source - floor)
            }
        }
        let ys = axis(height, geometry.height), xs = axis(width, geometry.width)
        var out = [Float](repeating: 0, count: geometry.count)
        for (oy, y) in ys.enumerated() {
            for (ox, x) in xs.enumerated() {
                for c in 0..<channels {
                    func at(_ row: Int, _ column: Int) -> Float { image[(row * width + column) * channels + c] }
                    let top = at(y.lower, x.lower) + (at(y.lower, x.upper) - at(y.lower, x.lower)) * x.lerp
                    let bottom = at(y.upper, x.lower) + (at(y.upper, x.upper) - at(y.upper, x.lower)) * x.lerp
                    out[(oy * geometry.width + ox) * channels + c] = (top + (bottom - top) * y.lerp) / 255
                }
            }
        }
        return out
    }

    // MARK: - TurboJPEG and the code under test

    func preprocess(_ jpeg: [UInt8], _ geometry: InputGeometry) throws -> [Float] {
        let preprocessor = ImagePreprocessor(geometry: geometry)
        var out = [Float](repeating: .nan, count: geometry.count)
        try jpeg.withUnsafeBytes { bytes in
            try out.withUnsafeMutableBufferPointer { try preprocessor.preprocess(bytes, into: $0.baseAddress!) }
        }
        return out
    }

    func readHeader(_ jpeg: [UInt8]) throws -> JPEGHeader {
        try jpeg.withUnsafeBytes { try JPEGDecoder().readHeader($0) }
    }

    func compress(_ pixels: [UInt8], width: Int, height: Int, format: TJPF, subsampling: TJSAMP, flags: Int32 = 0) throws -> [UInt8] {
        let handle = try XCTUnwrap(tjInitCompress())
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(width), 0, Int32(height), Int32(format.rawValue), &buffer, &size,
                        Int32(subsampling.rawValue), 90, flags)
        }
        defer { tjFree(buffer) }
        guard status == 0, let buffer else { throw TurboJPEGFailure(message: "tjCompress2: " + String(cString: tjGetErrorStr2(handle))) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }

    func decode(_ jpeg: [UInt8], format: TJPF, channels: Int) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        let handle = try XCTUnwrap(tjInitDecompress())
        defer { tjDestroy(handle) }
        var data = jpeg
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        XCTAssertEqual(tjDecompressHeader3(handle, &data, UInt(data.count), &width, &height, &subsampling, &colourspace), 0)
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let status = tjDecompress2(handle, &data, UInt(data.count), &pixels, width, 0, height, Int32(format.rawValue), TJFLAG_FASTDCT)
        XCTAssertEqual(status, 0, String(cString: tjGetErrorStr2(handle)))
        return (Int(width), Int(height), pixels)
    }

    /// The byte range of the APP14 "Adobe" segment, if any.
    func adobeSegment(_ jpeg: [UInt8]) -> Range<Int>? {
        var i = 2
        while i + 4 <= jpeg.count, jpeg[i] == 0xFF, jpeg[i + 1] != 0xDA {
            let end = i + 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
            if jpeg[i + 1] == 0xEE, end <= jpeg.count, Array(jpeg[(i + 4)..<(i + 9)]) == Array("Adobe".utf8) { return i..<end }
            i = end
        }
        return nil
    }
}

struct TurboJPEGFailure: Error { var message: String }
