import Engine
import TestSupport
import XCTest

/// Each fast kernel against its plain-loop reference, on shapes that exercise the edges:
/// strides, `same` padding, dilation, channel counts that are not multiples of 16.
final class KernelTests: XCTestCase {
    var generator = SystemRandomNumberGenerator()

    func randoms(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &generator) } }

    func testDirectConvolutionMatchesReference() {
        let cases: [(h: Int, w: Int, c: Int, oc: Int, k: [Int], s: [Int], d: [Int], p: Padding)] = [
            (20, 23, 1, 16, [3, 3], [1, 1], [1, 1], .valid),
            (17, 19, 16, 32, [3, 3], [1, 1], [1, 1], .valid),
            (15, 15, 32, 16, [3, 3], [1, 1], [1, 1], .same),
            (14, 13, 3, 20, [3, 3], [2, 2], [1, 1], .same),
            (12, 12, 5, 40, [5, 3], [1, 2], [1, 1], .valid),
            (16, 16, 8, 7, [3, 3], [1, 1], [2, 2], .same),
            (9, 9, 24, 48, [1, 1], [1, 1], [1, 1], .valid),
        ]
        for t in cases {
            let attributes = Conv2DAttributes(filters: t.oc, kernel: t.k, strides: t.s, dilation: t.d, padding: t.p)
            let oh = ShapeInference.outputSize(t.h, kernel: t.k[0], stride: t.s[0], dilation: t.d[0], padding: t.p)
            let ow = ShapeInference.outputSize(t.w, kernel: t.k[1], stride: t.s[1], dilation: t.d[1], padding: t.p)
            let g = WindowGeometry(inputShape: [t.h, t.w, t.c], outputShape: [oh, ow, t.oc], kernel: attributes.kernel,
                                   strides: attributes.strides, dilation: attributes.dilation, padding: attributes.padding)
            let input = randoms(t.h * t.w * t.c), kernel = randoms(t.k[0] * t.k[1] * t.c * t.oc), bias = randoms(t.oc)
            var expected = [Float](repeating: 0, count: oh * ow * t.oc), actual = expected
            conv2DReference(out: &expected, inp: input, kernel: kernel, bias: bias, g)
            let conv = DirectConvolution(g, kernel: kernel, bias: bias, clamp: .none)
            conv.forward(out: &actual, inp: input)
            checkTensor(actual, expected, "conv \(t)", tolerance: 1e-4)
        }
    }

    func testReLUIsFused() {
        let g = WindowGeometry(inputShape: [8, 8, 4], outputShape: [6, 6, 16], kernel: [3, 3], strides: [1, 1], dilation: [1, 1], padding: .valid)
        let input = randoms(8 * 8 * 4), kernel = randoms(9 * 4 * 16), bias = randoms(16)
        var expected = [Float](repeating: 0, count: 6 * 6 * 16), actual = expected
        conv2DReference(out: &expected, inp: input, kernel: kernel, bias: bias, g)
        expected = expected.map { max($0, 0) }
        DirectConvolution(g, kernel: kernel, bias: bias, clamp: .relu).forward(out: &actual, inp: input)
        checkTensor(actual, expected, "conv+relu", tolerance: 1e-4)
        XCTAssertTrue(actual.contains(0) && actual.contains { $0 > 0 })
    }

    func testPoolingMatchesReference() {
        for (c, size, stride, padding) in [(16, 2, 2, Padding.valid), (32, 3, 2, .same), (5, 2, 2, .valid), (16, 3, 1, .same)] {
            let h = 13, w = 11
            let oh = ShapeInference.outputSize(h, kernel: size, stride: stride, dilation: 1, padding: padding)
            let ow = ShapeInference.outputSize(w, kernel: size, stride: stride, dilation: 1, padding: padding)
            let g = WindowGeometry(inputShape: [h, w, c], outputShape: [oh, ow, c], kernel: [size, size], strides: [stride, stride], dilation: [1, 1], padding: padding)
            let input = randoms(h * w * c)
            for kind in [PoolAttributes.Kind.max, .average] {
                var expected = [Float](repeating: 0, count: oh * ow * c), actual = expected
                poolReference(out: &expected, inp: input, kind: kind, g)
                poolForward(out: &actual, inp: input, kind: kind, g)
                checkTensor(actual, expected, "\(kind) pool c=\(c) size=\(size) \(padding)", tolerance: 1e-6)
            }
        }
    }

    func testDenseMatchesReferenceAndIgnoresBatchPosition() {
        let f = 700, u = 70
        let kernel = randoms(f * u), bias = randoms(u)
        let dense = DenseKernel(features: f, units: u, kernel: kernel, bias: bias, activation: .linear)
        let rows = 9
        let input = randoms(rows * f)
        var expected = [Float](repeating: 0, count: rows * u), actual = expected
        denseReference(out: &expected, inp: input, kernel: kernel, bias: bias, n: rows, f: f, u: u)
        dense.forward(out: &actual, inp: input, rows: rows)
        checkTensor(actual, expected, "dense", tolerance: 1e-4)
        // Each row alone gives the very same bits as inside the batch.
        for row in 0..<rows {
            var single = [Float](repeating: 0, count: u)
            dense.forward(out: &single, inp: Array(input[(row * f)..<((row + 1) * f)]), rows: 1)
            XCTAssertEqual(single, Array(actual[(row * u)..<((row + 1) * u)]), "row \(row)")
        }
    }

    func testActivations() {
        var x: [Float] = [-2, 0, 3]
        activationForward(&x, count: 3, rowLength: 3, .relu)
        XCTAssertEqual(x, [0, 0, 3])
        x = [0, 2]
        activationForward(&x, count: 2, rowLength: 2, .sigmoid)
        XCTAssertEqual(x[0], 0.5)
        XCTAssertEqual(x[1], 1 / (1 + expf(-2)), accuracy: 1e-7)
        x = [1, 2, 3, 1, 1, 1]
        activationForward(&x, count: 6, rowLength: 3, .softmax)
        XCTAssertEqual(x[0] + x[1] + x[2], 1, accuracy: 1e-6)
        XCTAssertEqual(x[3], 1.0 / 3, accuracy: 1e-6)
        XCTAssertGreaterThan(x[2], x[1])
    }
}

/// Winograd F(2x2, 3x3) against the direct reference, with and without pooling.
final class WinogradTests: XCTestCase {
    func randoms(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1) } }

    func testMatchesReference() {
        for tile in [2, 4] {
            check(tile: tile)
        }
    }

    func check(tile: Int) {
        for (h, w, c, oc, padding) in [(17, 19, 16, 32, Padding.valid), (12, 12, 5, 20, .same), (9, 14, 32, 16, .valid), (10, 10, 3, 48, .same), (15, 21, 8, 16, .valid)] {
            let oh = ShapeInference.outputSize(h, kernel: 3, stride: 1, dilation: 1, padding: padding)
            let ow = ShapeInference.outputSize(w, kernel: 3, stride: 1, dilation: 1, padding: padding)
            let g = WindowGeometry(inputShape: [h, w, c], outputShape: [oh, ow, oc], kernel: [3, 3], strides: [1, 1], dilation: [1, 1], padding: padding)
            let input = randoms(h * w * c), kernel = randoms(9 * c * oc), bias = randoms(oc)
            var expected = [Float](repeating: 0, count: oh * ow * oc), actual = expected
            conv2DReference(out: &expected, inp: input, kernel: kernel, bias: bias, g)
            WinogradConvolution(g, kernel: kernel, bias: bias, clamp: .none, outputTile: tile).forward(out: &actual, inp: input)
            checkTensor(actual, expected, "winograd F(\(tile)) \(h)x\(w)x\(c)->\(oc) \(padding)", tolerance: 2e-5 * Float(c))

            // Fused ReLU + 2x2 max pooling against pooling the reference.
            let pooledShape = [oh / 2, ow / 2, oc]
            var pooledExpected = [Float](repeating: 0, count: pooledShape.reduce(1, *)), pooledActual = pooledExpected
            let pool = WindowGeometry(inputShape: [oh, ow, oc], outputShape: pooledShape, kernel: [2, 2], strides: [2, 2], dilation: [1, 1], padding: .valid)
            poolReference(out: &pooledExpected, inp: expected.map { max($0, 0) }, kind: .max, pool)
            WinogradConvolution(g, kernel: kernel, bias: bias, clamp: .relu, maxPool2x2: true, outputTile: tile).forward(out: &pooledActual, inp: input)
            checkTensor(pooledActual, pooledExpected, "winograd F(\(tile))+relu+pool", tolerance: 2e-5 * Float(c))
            var directPooled = pooledExpected
            DirectConvolution(g, kernel: kernel, bias: bias, clamp: .relu, maxPool2x2: true).forward(out: &directPooled, inp: input)
            checkTensor(directPooled, pooledExpected, "direct+relu+pool", tolerance: 1e-5 * Float(c))
        }
    }
}

/// Tile rows in pairs change no result: each tile row of an image whose GEMMs take two tile
/// rows at a time is, to the bit, that tile row computed alone (the image cut to its rows).
final class WinogradTileRowPairTests: XCTestCase {
    func testPairedTileRowsGiveTheFloatsOfSingleRows() {
        // Half a GEMM tile of tiles a row: alone they pad to a whole tile, two rows fill one.
        let tilesPerRow = KernelShapes.gemmRows / 2, tileRows = 3, c = 8, oc = 20
        for m in [2, 4] {
            let h = m * tileRows + 2, w = m * tilesPerRow + 2
            let input = (0..<(h * w * c)).map { _ in Float.random(in: -1...1) }
            let kernel = (0..<(9 * c * oc)).map { _ in Float.random(in: -1...1) }, bias = (0..<oc).map { _ in Float.random(in: -1...1) }
            func convolve(rows: Int, from firstRow: Int) -> (output: [Float], rowsPerGemm: Int) {
                let g = WindowGeometry(inputShape: [rows, w, c], outputShape: [rows - 2, w - 2, oc], kernel: [3, 3], strides: [1, 1],
                                       dilation: [1, 1], padding: .valid)
                let winograd = WinogradConvolution(g, kernel: kernel, bias: bias, clamp: .relu, outputTile: m)
                var out = [Float](repeating: 0, count: (rows - 2) * (w - 2) * oc)
                Array(input[(firstRow * w * c)..<((firstRow + rows) * w * c)]).withUnsafeBufferPointer {
                    winograd.forward(out: &out, inp: $0.baseAddress!)
                }
                return (out, winograd.tileRowsPerGemm)
            }
            let whole = convolve(rows: h, from: 0)
            XCTAssertEqual(whole.rowsPerGemm, 2, "F(\(m)): \(tilesPerRow) tiles a row should go through the GEMMs in pairs")
            let rowFloats = m * (w - 2) * oc
            for tileRow in 0..<tileRows {
                let alone = convolve(rows: m + 2, from: m * tileRow)
                XCTAssertEqual(alone.rowsPerGemm, 1)
                XCTAssertEqual(Array(whole.output[(tileRow * rowFloats)..<((tileRow + 1) * rowFloats)]), alone.output,
                               "F(\(m)) tile row \(tileRow): paired against alone")
            }
        }
    }
}

/// The few-channel convolution (interleaved rows, ring of rows) against the reference.
final class PatchConvolutionTests: XCTestCase {
    func randoms(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1) } }

    func testMatchesReference() {
        for (h, w, c, oc, k, s, padding) in [(20, 23, 1, 16, 3, 1, Padding.valid), (21, 18, 3, 32, 3, 2, .same), (17, 17, 1, 8, 5, 1, .same),
                                             (16, 16, 3, 20, 3, 1, .valid), (12, 30, 2, 16, 2, 2, .valid)] {
            let oh = ShapeInference.outputSize(h, kernel: k, stride: s, dilation: 1, padding: padding)
            let ow = ShapeInference.outputSize(w, kernel: k, stride: s, dilation: 1, padding: padding)
            let g = WindowGeometry(inputShape: [h, w, c], outputShape: [oh, ow, oc], kernel: [k, k], strides: [s, s], dilation: [1, 1], padding: padding)
            XCTAssertTrue(PatchConvolution.supports(g))
            let input = randoms(h * w * c), kernel = randoms(k * k * c * oc), bias = randoms(oc)
            var expected = [Float](repeating: 0, count: oh * ow * oc), actual = expected
            conv2DReference(out: &expected, inp: input, kernel: kernel, bias: bias, g)
            let conv = PatchConvolution(g, kernel: kernel, bias: bias, clamp: .none)
            // Twice: the ring of rows must start afresh for every image.
            for _ in 0..<2 {
                conv.forward(out: &actual, inp: input)
                checkTensor(actual, expected, "patch conv \(h)x\(w)x\(c)->\(oc) k\(k) s\(s) \(padding)", tolerance: 1e-5)
            }
            let pooledShape = [oh / 2, ow / 2, oc]
            var pooledExpected = [Float](repeating: 0, count: pooledShape.reduce(1, *)), pooledActual = pooledExpected
            let pool = WindowGeometry(inputShape: [oh, ow, oc], outputShape: pooledShape, kernel: [2, 2], strides: [2, 2], dilation: [1, 1], padding: .valid)
            poolReference(out: &pooledExpected, inp: expected.map { min(max($0, 0), 6) }, kind: .max, pool)
            PatchConvolution(g, kernel: kernel, bias: bias, clamp: ClampRange(lower: 0, upper: 6), maxPool2x2: true).forward(out: &pooledActual, inp: input)
            checkTensor(pooledActual, pooledExpected, "patch conv + ReLU6 + pool", tolerance: 1e-5)
        }
    }
}

/// The register-only grey first layer (3x3, one channel, fused 2x2 max pooling).
final class GreyConvolutionTests: XCTestCase {
    func testMatchesReference() {
        for (h, w, oc, padding) in [(20, 23, 16, Padding.valid), (17, 30, 20, .same), (12, 12, 32, .valid), (9, 41, 16, .same)] {
            let oh = ShapeInference.outputSize(h, kernel: 3, stride: 1, dilation: 1, padding: padding)
            let ow = ShapeInference.outputSize(w, kernel: 3, stride: 1, dilation: 1, padding: padding)
            let g = WindowGeometry(inputShape: [h, w, 1], outputShape: [oh, ow, oc], kernel: [3, 3], strides: [1, 1], dilation: [1, 1], padding: padding)
            let input = (0..<(h * w)).map { _ in Float.random(in: 0...1) }
            let kernel = (0..<(9 * oc)).map { _ in Float.random(in: -1...1) }, bias = (0..<oc).map { _ in Float.random(in: -1...1) }
            var conv = [Float](repeating: 0, count: oh * ow * oc)
            conv2DReference(out: &conv, inp: input, kernel: kernel, bias: bias, g)
            let pooledShape = [oh / 2, ow / 2, oc]
            var expected = [Float](repeating: 0, count: pooledShape.reduce(1, *)), actual = expected
            let pool = WindowGeometry(inputShape: [oh, ow, oc], outputShape: pooledShape, kernel: [2, 2], strides: [2, 2], dilation: [1, 1], padding: .valid)
            poolReference(out: &expected, inp: conv.map { max($0, 0) }, kind: .max, pool)
            let grey = GreyConvolution(g, kernel: kernel, bias: bias, clamp: .relu)
            for _ in 0..<2 {   // twice: the padded copy of the image must be refreshed, not accumulated
                grey.forward(out: &actual, inp: input)
                checkTensor(actual, expected, "grey conv \(h)x\(w)->\(oc) \(padding)", tolerance: 1e-5)
            }
        }
    }
}
