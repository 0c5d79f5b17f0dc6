// engine-bench: where the engine's time goes, layer by layer, for one model.
//   .build/release/engine-bench [model.h5] [--batch-size 32] [--batches 4] [--photo x.jpg]
// Times each node (one image at a time for spatial layers, a whole batch for the flat tail)
// and the whole network on random inputs, or on one photo's, and prints GFLOP/s per layer.
// With --throughput N it times N images in whole batches instead, as the peers' engine_only.py
// times ONNX Runtime and OpenVINO; scripts/bench.sh runs one such process per core.
import FileSystem
import ArgumentParser
import Engine
import Foundation
import Image
import ModelIO

@main
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine-bench",
        abstract: "Time the inference engine on one model, whole network and layer by layer, on one core.")

    @Argument(help: "The model file (Keras .h5 or .keras, or ONNX).")
    var model = "models/catsordogs.h5"

    @Option(help: "Images per batch.")
    var batchSize = 32

    @Option(help: "Timed batches; the fastest counts (least disturbed).")
    var batches = 4

    @Option(help: "A JPEG whose model input (TensorFlow-exact) fills every batch slot, instead of random values: timings can depend on the data (subnormal arithmetic is slow on some CPUs).")
    var photo: String? = nil

    @Option(help: "Time this many images (whole batches) in each of --runs runs and print only the runs' seconds, instead of the layer-by-layer report.")
    var throughput: Int? = nil

    @Option(help: "Runs of --throughput.")
    var runs = 3

    @Flag(inversion: .prefixedNo, help: "Run inverted residual blocks band by band (the same floats; off: as separate steps).")
    var bandedBlocks = true

    @Option(help: "Expanded rows per band, in KB (default: 256).")
    var bandKb: Int? = nil

    @Flag(inversion: .prefixedNo, help: "Run the weight-heavy spatial layers at the end on the whole batch, layer after layer (the same floats; off: one image at a time).")
    var batchTail = true

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
        guard batches > 0 else { throw ValidationError("--batches must be at least 1") }
        guard (throughput ?? 1) > 0 && runs > 0 else { throw ValidationError("--throughput and --runs must be at least 1") }
        guard (bandKb ?? 1) > 0 else { throw ValidationError("--band-kb must be at least 1") }
    }

    var options: Network.Options {
        var options = Network.Options.fastest
        options.bandedBlocks = bandedBlocks
        options.batchTail = batchTail
        if let bandKb { options.bandBytes = bandKb * 1024 }
        return options
    }

    func run() throws {
        // The start-up costs a run pays once per rank (rank 0 loads; every rank builds).
        let (loaded, loadSeconds) = try timed { try ModelLoader.load(path: model) }
        let (network, buildSeconds) = try timed { try Network(model: loaded, batchSize: batchSize, options: options) }
        print("CPU: \(cpuModel()); kernels: \(Network.kernelSummary)")
        print(String(format: "model load %.1f ms, network build %.1f ms", loadSeconds * 1e3, buildSeconds * 1e3))
        let inputCount = network.inputShape.reduce(1, *)
        let input = try photo.map { try photoInputs(path: $0, network: network) }
            ?? (0..<(inputCount * batchSize)).map { _ in Float.random(in: 0...1) }
        var output = [Float](repeating: 0, count: network.outputCount * batchSize)

        // Warm up, then time whole batches.
        network.predict(input, count: batchSize, into: &output)
        if let throughput {
            let batchesPerRun = (throughput + batchSize - 1) / batchSize
            let seconds = (0..<runs).map { _ in timed { for _ in 0..<batchesPerRun { network.predict(input, count: batchSize, into: &output) } }.1 }
            print("throughput: \(batchesPerRun * batchSize) images a run, seconds \(seconds.map { String(format: "%.4f", $0) }.joined(separator: " "))")
            return
        }
        let perImage = (0..<batches).map { _ in timed { network.predict(input, count: batchSize, into: &output) }.1 }.min()! / Double(batchSize)
        let flops = Double(network.flopsPerImage)
        print(String(format: "%@: %.3f ms/image, %.1f images/s on one core, %.1f MFLOP/image, %.1f GFLOP/s",
                     model, perImage * 1e3, 1 / perImage, flops / 1e6, flops / perImage / 1e9))
        for line in network.profile(input: Array(input.prefix(inputCount)), repeats: 20) { print(line) }
        for line in network.profileBatch(input, count: batchSize) { print(line) }
    }
}

/// `batchSize` copies of the photo's model input.
func photoInputs(path: String, network: Network) throws -> [Float] {
    let shape = network.inputShape
    guard shape.count == 3 else { throw ValidationError("--photo: the model input is not an image") }
    let preprocessor = ImagePreprocessor(geometry: InputGeometry(height: shape[0], width: shape[1], channels: shape[2]))
    var one = [Float](repeating: 0, count: preprocessor.geometry.count)
    do {
        try one.withUnsafeMutableBufferPointer { try preprocessor.load(path: RawPath(path), into: $0.baseAddress!) }
    } catch {
        throw ValidationError("--photo \(path): \(error)")
    }
    return Array((0..<network.batchSize).map { _ in one }.joined())
}

/// The CPU's model name (Linux), or the architecture where /proc/cpuinfo does not say.
func cpuModel() -> String {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
    #if arch(x86_64)
    let architecture = "x86_64"
    #elseif arch(arm64)
    let architecture = "aarch64"
    #else
    let architecture = "unknown CPU"
    #endif
    return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) } ?? architecture
}

/// The body's result and how long it took, in seconds.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try body()
    return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
