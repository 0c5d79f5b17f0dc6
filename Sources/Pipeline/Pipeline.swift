import Engine
import Foundation
import Image
import ModelIO
import MPI

/// The SPMD story of one run, executed by every rank:
///  1. every rank reads the input list and takes its slice;
///  2. rank 0 loads the model and prepares the output; the model bytes (or the reason
///     there are none) are broadcast, and every rank builds the same network;
///  3. each rank decodes, preprocesses and classifies its photos batch by batch;
///  4. results reach rank 0 in rounds (MPI_Gatherv); rank 0 writes them, and at the end
///     puts results.csv in input order, places the photos and prints the timing report.
public enum Pipeline {
    /// Runs the job on this rank and returns the process's exit status.
    public static func run(_ options: RunOptions) -> Int32 {
        let start = Clock.now
        let comm: Communicator
        do {
            comm = try Communicator.initializeWorld()
        } catch {
            printError("error: \(error)")
            return 1
        }
        var report = TimingReport()
        report.mpiInitSeconds = Clock.now - start
        do {
            let status = try runRank(options, comm, start: start, report: &report)
            Communicator.finalize()
            return status
        } catch let failure as SharedFailure {
            // Every rank knows this failure: exit together, rank 0 explains once.
            if comm.isRoot { printError("error: \(failure.message)") }
            Communicator.finalize()
            return 1
        } catch {
            // Only this rank knows: stop the whole job rather than leave the others waiting in a collective.
            printError("[rank \(comm.rank)] error: \(error)")
            comm.abort(code: 1)
        }
    }

    static func runRank(_ options: RunOptions, _ comm: Communicator, start: Double, report: inout TimingReport) throws -> Int32 {
        // 1. The input list, on every rank.
        var phase = Clock.now
        let opened: InputList? = try agree(comm) { try InputLists.open(options.input, excluding: options.output) }
        guard var list = opened else { throw SharedFailure(message: "unreachable") }
        if let limit = options.limit, limit < list.count { list = PrefixList(list, count: limit) }
        report.listSeconds = Clock.now - phase
        if options.dryRun { return try dryRun(list, options, comm, start: start, report: &report) }

        // 2. Rank 0 loads the model and opens the results; everyone gets the model bytes.
        phase = Clock.now
        var modelHeader: [UInt8] = []
        var loaded: Model? = nil
        var writer: ResultsWriter? = nil
        var rootFailure: String? = nil
        if comm.isRoot {
            do {
                let model = try ModelLoader.load(path: options.model)
                loaded = model
                report.modelLoadSeconds = Clock.now - phase
                modelHeader = ModelBuffer.header(of: model)
                let classifier = try makeClassifier(options, model: model)
                writer = try ResultsWriter(directory: options.output, list: list, classifier: classifier, resume: options.resume)
            } catch {
                rootFailure = "\(error)"
            }
        }
        phase = Clock.now
        try broadcastFailure(&rootFailure, comm)
        // The model header, then its weights straight from rank 0's array (ModelBuffer).
        try comm.broadcast(&modelHeader)
        var weights = loaded?.weights ?? []
        try comm.broadcast(&weights)
        // Rank 0 already has the model; the others build theirs from what they received.
        let model = try loaded ?? ModelBuffer.decode(header: modelHeader, weights: weights)
        var doneWords = writer?.done.words ?? []
        try broadcastWords(&doneWords, comm)
        let done = DoneSet(count: list.count, words: doneWords.isEmpty ? DoneSet(count: list.count).words : doneWords)
        report.broadcastSeconds = Clock.now - phase
        let classifier = try makeClassifier(options, model: model)
        let network = try Network(model: model, batchSize: options.batchSize)
        guard network.inputShape.count == 3 else { throw SharedFailure(message: "the model input is not an image") }
        let geometry = InputGeometry(height: network.inputShape[0], width: network.inputShape[1], channels: network.inputShape[2])

        // 3. This rank's photos, batch by batch; results go to rank 0 in rounds.
        let decoder = BatchDecoder(preprocessor: ImagePreprocessor(geometry: geometry, maxPixels: options.maxPixels,
                                                                   fastDecode: options.fastDecode),
                                   cacheMegabytes: options.cacheMegabytes)
        let worker = InferenceWorker(network: network)
        let progress = Progress(total: list.count, alreadyDone: done.total, quiet: options.quiet || !comm.isRoot)
        let counter = options.schedule == .dynamic ? try SharedCounter(comm) : nil
        var queue = counter.map { WorkQueue(counter: $0, count: list.count, done: done) }
            ?? WorkQueue(rank: comm.rank, size: comm.size, count: list.count, done: done)
        let rounds = try ResultRounds(comm: comm.duplicate(), outputCount: network.outputCount, interval: options.roundSeconds) { outcomes in
            try writer?.append(outcomes)
            progress.update(outcomes)
        }
        func nextBatch() throws -> [(index: Int, location: RawPath)]? {
            guard let indices = try queue.take(options.batchSize) else { return nil }
            let items = try list.items(indices.first!..<(indices.last! + 1))
            return indices.map { ($0, list.location(of: items[$0 - indices.first!])) }
        }
        let busyStart = Clock.now
        if options.prefetch {
            // Batch k+1 is decoded on a second thread while batch k runs through the network.
            let prefetcher = Prefetcher(decoder: decoder, batchSize: options.batchSize)
            defer { prefetcher.stop() }
            if let first = try nextBatch() { prefetcher.submit(first) }
            while let decoded = try prefetcher.take(whileWaiting: rounds.poll) {
                if let next = try nextBatch() { prefetcher.submit(next) }
                rounds.add(try worker.infer(decoded, between: rounds.poll))
                try rounds.poll()
            }
        } else {
            let inputs = FloatBuffer(count: options.batchSize * geometry.count)
            while let batch = try nextBatch() {
                rounds.add(try worker.infer(try decoder.decode(batch, into: inputs, between: rounds.poll), between: rounds.poll))
                try rounds.poll()
            }
        }
        let busy = Clock.now - busyStart
        try rounds.finish()
        try counter?.free()
        progress.finish()

        // 4. Timings to rank 0; rank 0 orders, places and reports; everyone exits with its verdict.
        let record = TimingReport.record(images: worker.images, decode: worker.decodeSeconds, infer: worker.inferSeconds,
                                         rounds: rounds.seconds, busy: busy, peakMemory: peakMemoryBytes())
        let records = try comm.gatherv(record)
        let hosts = try comm.gatherv(Array(Communicator.processorName.utf8))
        var status: Int32 = 0
        if let writer, let records, let hosts {
            status = try finish(writer, list: list, classifier: classifier, options: options, records: records,
                                hosts: hosts, rounds: rounds, start: start, report: &report)
        }
        // Every rank exits with rank 0's verdict (--max-failures).
        return Int32(try comm.broadcast(Int64(status)))
    }

    /// Rank 0, after the last round: results in input order, photos placed, summary and timing.
    static func finish(_ writer: ResultsWriter, list: InputList, classifier: Classifier, options: RunOptions, records: [[Double]],
                       hosts: [[UInt8]], rounds: ResultRounds, start: Double, report: inout TimingReport) throws -> Int32 {
        let phase = Clock.now
        let codes = try writer.finish()
        let summary = try Summary(codes: codes, list: list, classifier: classifier)
        let placer = try Placer(mode: options.place, directory: options.output, classes: classifier.classes)
        var first = 0
        while first < codes.count {
            let last = min(first + 4096, codes.count)
            for (offset, item) in try list.items(first..<last).enumerated() where codes[first + offset] >= 0 {
                placer.place(list.location(of: item), classIndex: Int(codes[first + offset]))
            }
            first = last
        }
        report.writeSeconds = Clock.now - phase
        report.gatherSeconds = rounds.seconds
        report.addRanks(records, hosts: hosts.map { String(decoding: $0, as: UTF8.self) })
        report.images = records.reduce(0) { $0 + Int($1[0]) }
        report.wallSeconds = Clock.now - start
        try report.json().write(to: URL(fileURLWithPath: options.output.appending(RawPath("timing.json")).displayText))

        print(summary.text(placed: placer.placed, placeMode: options.place, output: options.output))
        for failure in placer.failures.prefix(10) { printError("warning: not placed: \(failure)") }
        print(report.table)
        if let limit = options.maxFailures, limit.isExceeded(failures: summary.failed, total: codes.count) {
            printError("error: \(summary.failed) of \(codes.count) inputs failed, more than --max-failures allows; all results are written")
            return failureLimitStatus
        }
        return 0
    }

    /// The exit status when --max-failures is exceeded.
    public static let failureLimitStatus: Int32 = 3

    /// --dry-run: every rank reads its share of the list, batch by batch, decoding nothing.
    static func dryRun(_ list: InputList, _ options: RunOptions, _ comm: Communicator, start: Double,
                       report: inout TimingReport) throws -> Int32 {
        let counter = options.schedule == .dynamic ? try SharedCounter(comm) : nil
        var queue = counter.map { WorkQueue(counter: $0, count: list.count, done: nil) }
            ?? WorkQueue(rank: comm.rank, size: comm.size, count: list.count, done: nil)
        var items = 0
        let busyStart = Clock.now
        while let indices = try queue.take(options.batchSize) {
            items += try list.items(indices.first!..<(indices.last! + 1)).count
        }
        let busy = Clock.now - busyStart
        try counter?.free()
        let records = try comm.gatherv(TimingReport.record(images: items, decode: 0, infer: 0, rounds: 0, busy: busy, peakMemory: peakMemoryBytes()))
        let hosts = try comm.gatherv(Array(Communicator.processorName.utf8))
        if let records, let hosts {
            report.addRanks(records, hosts: hosts.map { String(decoding: $0, as: UTF8.self) })
            report.images = records.reduce(0) { $0 + Int($1[0]) }
            report.wallSeconds = Clock.now - start
            print("dry run: \(list.count) inputs listed and shared out, nothing decoded")
            print(report.table)
        }
        return 0
    }

    /// This process's peak resident memory (VmHWM), in bytes.
    static func peakMemoryBytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }

    static func makeClassifier(_ options: RunOptions, model: Model) throws -> Classifier {
        let shapes = try ShapeInference.shapes(of: model.graph, weightCount: model.weights.count)
        let outputs = shapes[model.graph.output].reduce(1, *)
        let classifier = Classifier(classes: options.classes, threshold: options.threshold,
                                    outputsAreProbabilities: model.graph.endsInProbabilities)
        try classifier.validate(outputCount: outputs)
        return classifier
    }

    /// Runs `body` on every rank; if it fails anywhere, every rank throws the same failure.
    static func agree<T>(_ comm: Communicator, _ body: () throws -> T) throws -> T? {
        var result: T? = nil
        var message: String? = nil
        do { result = try body() } catch { message = "\(error)" }
        let failures = try comm.allReduce(Int64(message == nil ? 0 : 1), .sum)
        if failures > 0 {
            var text = comm.isRoot ? message : nil
            try broadcastFailure(&text, comm, always: true)
            throw SharedFailure(message: text ?? "a rank failed to read the input list")
        }
        return result
    }

    /// Broadcasts rank 0's failure message (empty = none); every rank throws it if there is one.
    static func broadcastFailure(_ message: inout String?, _ comm: Communicator, always: Bool = false) throws {
        var bytes = Array((message ?? "").utf8)
        try comm.broadcast(&bytes)
        if !bytes.isEmpty || always {
            throw SharedFailure(message: bytes.isEmpty ? (message ?? "failed on another rank") : String(decoding: bytes, as: UTF8.self))
        }
    }

    static func broadcastWords(_ words: inout [UInt64], _ comm: Communicator) throws {
        var bytes = words.withUnsafeBytes { Array($0) }
        try comm.broadcast(&bytes)
        words = bytes.withUnsafeBytes { Array($0.bindMemory(to: UInt64.self)) }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// A failure every rank knows about (all ranks exit with it).
struct SharedFailure: Error {
    var message: String
}

extension Graph {
    /// True when the last operation is a sigmoid or softmax: outputs are probabilities.
    var endsInProbabilities: Bool {
        switch nodes[output].op {
        case .dense(let a): return a.activation == .sigmoid || a.activation == .softmax
        case .conv2D(let a): return a.activation == .sigmoid || a.activation == .softmax
        case .activation(let a): return a == .sigmoid || a == .softmax
        default: return false
        }
    }
}
