// engine-bench: where the engine's time goes, layer by layer, for one model.
//   .build/release/engine-bench [model.h5] [batch-size] [batches]
// Times each node on random inputs (one image at a time for spatial layers, a whole batch
// for the flat tail), and the whole network, and prints GFLOP/s per layer.
import Engine
import Foundation
import ModelIO

let arguments = CommandLine.arguments
let path = arguments.count > 1 ? arguments[1] : "models/catsordogs.h5"
let batchSize = arguments.count > 2 ? Int(arguments[2])! : 32
let batches = arguments.count > 3 ? Int(arguments[3])! : 4

/// The body's result and how long it took, in seconds.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = try body()
    return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

func seconds(_ body: () -> Void) -> Double { timed(body).1 }

// The start-up costs a run pays once per rank (rank 0 loads; every rank builds).
let (model, loadSeconds) = try timed { try ModelLoader.load(path: path) }
let (network, buildSeconds) = try timed { try Network(model: model, batchSize: batchSize) }
print(String(format: "model load %.1f ms, network build %.1f ms", loadSeconds * 1e3, buildSeconds * 1e3))
let inputCount = network.inputShape.reduce(1, *)
var input = (0..<(inputCount * batchSize)).map { _ in Float.random(in: 0...1) }
var output = [Float](repeating: 0, count: network.outputCount * batchSize)

// Warm up, then time whole batches: the fastest one counts (least disturbed).
network.predict(input, count: batchSize, into: &output)
let perImage = (0..<batches).map { _ in seconds { network.predict(input, count: batchSize, into: &output) } }.min()! / Double(batchSize)
let flops = network.flopsPerImage
print(String(format: "%@: %.3f ms/image, %.1f images/s on one core, %.1f MFLOP/image, %.1f GFLOP/s",
             path, perImage * 1e3, 1 / perImage, Double(flops) / 1e6, Double(flops) / perImage / 1e9))
for line in network.profile(input: Array(input.prefix(inputCount)), repeats: 20) { print(line) }
for line in network.profileBatch(input, count: batchSize) { print(line) }
