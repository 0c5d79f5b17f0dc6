import Foundation

/// Per-node costs, for engine-bench and the benchmark's compute ceiling.
extension Network {
    /// Multiply-adds x 2 of the convolutions and dense layers for one image.
    public var flopsPerImage: Int {
        var total = 0
        for (i, node) in graph.nodes.enumerated() {
            let outputCount = shapes[i].reduce(1, *)
            switch node.op {
            case .conv2D(let a):
                let inputChannels = shapes[node.inputs[0]].last ?? 0
                total += 2 * outputCount * a.kernel[0] * a.kernel[1] * inputChannels
            case .dense:
                total += 2 * outputCount * (shapes[node.inputs[0]].first ?? 0)
            default:
                break
            }
        }
        return total
    }

    /// The build's vector ISA and register tiles, for a benchmark's header.
    public static var kernelSummary: String {
        "\(KernelShapes.instructionSet), \(KernelShapes.lanes) floats/vector, FMA \(KernelShapes.fusedMultiplyAdd ? "fused" : "off (rounds twice)"), "
            + "GEMM tile \(KernelShapes.gemmTile), dense tile \(KernelShapes.denseTile)"
    }

    /// Per-step seconds per image over a real batch (each image's data cold, as in `predict`):
    /// the mean and the fastest image. The fastest against `profile`'s (the step alone, on warm
    /// caches) shows what a step loses inside the network, e.g. to weights no longer in cache.
    public func profileBatch(_ inputs: UnsafePointer<Float>, count: Int) -> [String] {
        withSubnormalsFlushed { profileBatchSteps(inputs, count: count) }
    }

    private func profileBatchSteps(_ inputs: UnsafePointer<Float>, count: Int) -> [String] {
        let inputCount = inputShape.reduce(1, *)
        var imageTimes = [Double](repeating: 0, count: perImageSteps.count)
        var fastestImage = [Double](repeating: .infinity, count: perImageSteps.count)
        var batchTimes = [Double](repeating: 0, count: batchSteps.count)
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        for n in 0..<count {
            let image = inputs + n * inputCount
            if copiesInput { storage[0].pointer.update(from: image, count: inputCount) }
            for (i, step) in perImageSteps.enumerated() {
                let start = now(); step.run(image)
                let seconds = now() - start
                imageTimes[i] += seconds
                fastestImage[i] = min(fastestImage[i], seconds)
            }
        }
        for (i, step) in batchSteps.enumerated() {
            let start = now(); step.run(count); batchTimes[i] += now() - start
        }
        return perImageSteps.indices.map { String(format: "  in batch   step %2d %-40@ %8.3f ms/image, fastest image %.3f", $0, perImageSteps[$0].name as NSString,
                                                  imageTimes[$0] * 1e3 / Double(count), fastestImage[$0] * 1e3) }
            + batchSteps.indices.map { String(format: "  in batch   step %2d %-40@ %8.3f ms/image", $0, batchSteps[$0].name as NSString, batchTimes[$0] * 1e3 / Double(count)) }
    }

    /// One line per per-image step and batch step: the fastest of `repeats` runs (the
    /// least disturbed by anything else on the machine), and the kernel and tile it ran.
    public func profile(input: [Float], repeats: Int) -> [String] {
        withSubnormalsFlushed { profileSteps(input: input, repeats: repeats) }
    }

    private func profileSteps(input: [Float], repeats: Int) -> [String] {
        storage[0].pointer.update(from: input, count: input.count)
        let image = UnsafePointer(storage[0].pointer)
        func fastest(_ body: () -> Void) -> Double {
            (0..<repeats).map { _ in
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            }.min()!
        }
        var lines: [String] = []
        for (position, step) in perImageSteps.enumerated() {
            let seconds = fastest { step.run(image) }
            lines.append(String(format: "  per image  step %2d %-24@ %8.3f ms  %@", position, step.name as NSString, seconds * 1e3, step.kernel as NSString))
        }
        for (position, step) in batchSteps.enumerated() {
            let seconds = fastest { step.run(batchSize) }
            lines.append(String(format: "  batch %3d  step %2d %-24@ %8.3f ms/image  %@", batchSize, position, step.name as NSString, seconds * 1e3 / Double(batchSize), step.kernel as NSString))
        }
        return lines
    }
}
