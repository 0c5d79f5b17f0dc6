import Engine
import TestSupport
import XCTest

/// Every register tile of the ISA this suite is built for (KernelShapes: full tiles of
/// gemmRows x 1 or 2 vectors, the 1-row remainder, the dense block), with tails: channels
/// not a multiple of the lane count, rows not a multiple of the tile, 1x1 images. Each fast
/// kernel must equal the in-order reference bit for bit (tolerance 0): then its results do
/// not depend on the vector width, and the AVX2 and AVX-512 builds agree.
final class TileShapeTests: XCTestCase {
    let lanes = KernelShapes.lanes, rows = KernelShapes.gemmRows

    func randoms(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1) } }

    func geometry(_ h: Int, _ w: Int, _ c: Int, _ oc: Int, k: Int, stride: Int = 1, dilation: Int = 1, _ padding: Padding) -> WindowGeometry {
        let oh = ShapeInference.outputSize(h, kernel: k, stride: stride, dilation: dilation, padding: padding)
        let ow = ShapeInference.outputSize(w, kernel: k, stride: stride, dilation: dilation, padding: padding)
        return WindowGeometry(inputShape: [h, w, c], outputShape: [oh, ow, oc], kernel: [k, k], strides: [stride, stride],
                              dilation: [dilation, dilation], padding: padding)
    }

    /// Output channel counts around one and two vectors (the 2-vector tile, the 1-vector
    /// tile, and partial last vectors through the epilogue).
    var channelCounts: [Int] { [1, lanes - 1, lanes, lanes + 1, 2 * lanes, 2 * lanes + 1, 3 * lanes + 2] }

    func testPointwiseGEMMTilesMatchInOrderSums() {
        // Pixel counts: 1x1, a tile less one, one tile, one more, two tiles and a remainder.
        let images = [(1, 1), (1, rows - 1), (1, rows), (rows + 1, 1), (3, 2 * rows / 3 + 1)]
        for (h, w) in images {
            for oc in channelCounts {
                for c in [1, 5, lanes + 3] {
                    let g = geometry(h, w, c, oc, k: 1, .valid)
                    let input = randoms(h * w * c), kernel = randoms(c * oc), bias = randoms(oc)
                    var actual = [Float](repeating: .nan, count: g.outH * g.outW * oc)
                    DirectConvolution(g, kernel: kernel, bias: bias, clamp: .relu).forward(out: &actual, inp: input)
                    checkTensor(actual, convolutionInOrder(input, kernel, bias, g, clamp: .relu), "1x1 \(h)x\(w)x\(c)->\(oc) \(KernelShapes.gemmTile)", tolerance: 0)
                }
            }
        }
    }

    func testDirectConvolutionTilesMatchInOrderSums() {
        // Output rows of 1, tile-1, tile+1 and 2 tiles + 3 pixels; padding, stride, dilation.
        let cases: [(h: Int, w: Int, c: Int, k: Int, s: Int, d: Int, p: Padding)] = [
            (1, 1, 3, 3, 1, 1, .same), (5, rows - 1, 4, 3, 1, 1, .same), (4, rows + 3, 7, 3, 1, 1, .valid),
            (6, 2 * rows + 3, lanes + 1, 3, 1, 1, .same), (9, 2 * rows + 1, 3, 3, 2, 1, .same), (9, rows + 5, 2, 3, 1, 2, .same),
        ]
        for t in cases {
            for oc in channelCounts {
                let g = geometry(t.h, t.w, t.c, oc, k: t.k, stride: t.s, dilation: t.d, t.p)
                let input = randoms(t.h * t.w * t.c), kernel = randoms(t.k * t.k * t.c * oc), bias = randoms(oc)
                var actual = [Float](repeating: .nan, count: g.outH * g.outW * oc)
                DirectConvolution(g, kernel: kernel, bias: bias, clamp: .none).forward(out: &actual, inp: input)
                checkTensor(actual, convolutionInOrder(input, kernel, bias, g), "direct \(t) ->\(oc)", tolerance: 0)
                // Fused 2x2 max pooling goes through the raw-sum epilogue.
                guard g.outH >= 2 && g.outW >= 2 else { continue }
                var pooled = [Float](repeating: .nan, count: (g.outH / 2) * (g.outW / 2) * oc)
                DirectConvolution(g, kernel: kernel, bias: bias, clamp: .relu, maxPool2x2: true).forward(out: &pooled, inp: input)
                let expected = maxPool2x2(convolutionInOrder(input, kernel, bias, g, clamp: .relu), h: g.outH, w: g.outW, c: oc)
                checkTensor(pooled, expected, "direct+pool \(t) ->\(oc)", tolerance: 0)
            }
        }
    }

    func testDenseBlocksMatchInOrderSums() {
        let panel = KernelShapes.denseVectors * lanes
        // Features past the 512-float chunk (partial sums through the output), units around panels.
        for features in [1, 7, 1100] {
            for units in [1, lanes - 1, panel - 1, panel, panel + 1, 2 * panel + lanes + 1] {
                for batch in [1, 3, KernelShapes.denseRows, KernelShapes.denseRows + 1, 2 * KernelShapes.denseRows + 1] {
                    let kernel = randoms(features * units), bias = randoms(units), input = randoms(batch * features)
                    var actual = [Float](repeating: .nan, count: batch * units)
                    DenseKernel(features: features, units: units, kernel: kernel, bias: bias, activation: .linear)
                        .forward(out: &actual, inp: input, rows: batch)
                    checkTensor(actual, denseInOrder(input, kernel, bias, rows: batch, features: features, units: units),
                                "dense \(batch)x\(features)->\(units) \(KernelShapes.denseTile)", tolerance: 0)
                }
            }
        }
    }

    func testDepthwiseMatchesInOrderSums() {
        for c in [1, lanes - 1, lanes, lanes + 1, 2 * lanes + 3] {
            for (h, w, k, s, p) in [(1, 1, 3, 1, Padding.same), (7, 9, 3, 1, .same), (8, 11, 3, 2, .same), (6, 7, 5, 1, .valid), (9, 8, 3, 2, .valid),
                                 (4, 14, 3, 1, .valid), (3, 19, 3, 1, .same), (5, 21, 3, 2, .same)] {
                let g = geometry(h, w, c, c, k: k, stride: s, p)
                let input = randoms(h * w * c), kernel = randoms(k * k * c), bias = randoms(c)
                var actual = [Float](repeating: .nan, count: g.outH * g.outW * c)
                let six = ClampRange(lower: 0, upper: 6)
                DepthwiseConvolution(g, multiplier: 1, kernel: kernel, bias: bias, clamp: six).forward(out: &actual, inp: input)
                checkTensor(actual, depthwiseInOrder(input, kernel, bias, g, clamp: six), "depthwise \(h)x\(w)x\(c) k\(k) s\(s) \(p)", tolerance: 0)
            }
        }
    }

    func testGreyFirstLayerMatchesInOrderSums() {
        // Row lengths that leave partial blocks of 8 pixels, channels around the lane count.
        for (h, w, p) in [(4, 4, Padding.valid), (7, 13, .same), (10, 2 * rows + 7, .valid)] {
            for oc in [lanes - 1, lanes + 1, 2 * lanes] {
                let g = geometry(h, w, 1, oc, k: 3, p)
                let input = (0..<(h * w)).map { _ in Float.random(in: 0...1) }, kernel = randoms(9 * oc), bias = randoms(oc)
                var actual = [Float](repeating: .nan, count: (g.outH / 2) * (g.outW / 2) * oc)
                GreyConvolution(g, kernel: kernel, bias: bias, clamp: .relu).forward(out: &actual, inp: input)
                let expected = maxPool2x2(convolutionInOrder(input, kernel, bias, g, clamp: .relu), h: g.outH, w: g.outW, c: oc)
                checkTensor(actual, expected, "grey \(h)x\(w)->\(oc) \(p)", tolerance: 0)
            }
        }
    }

    func testPoolingTailsMatchReference() {
        for c in [1, lanes - 1, lanes + 1, 2 * lanes + 3] {
            for (size, stride, padding) in [(2, 2, Padding.valid), (3, 2, .same), (3, 1, .same)] {
                let g = geometry(7, 6, c, c, k: size, stride: stride, padding)
                let input = randoms(7 * 6 * c)
                for kind in [PoolAttributes.Kind.max, .average] {
                    var expected = [Float](repeating: 0, count: g.outH * g.outW * c), actual = expected
                    poolReference(out: &expected, inp: input, kind: kind, g)
                    poolForward(out: &actual, inp: input, kind: kind, g)
                    checkTensor(actual, expected, "\(kind) pool c=\(c) \(size)/\(stride) \(padding)", tolerance: 0)
                }
            }
        }
    }
}
