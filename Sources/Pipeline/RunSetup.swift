import Engine
import Image
import ModelIO
import MPI

/// What every rank holds once rank 0 has set the run up and broadcast it: the network
/// (built once per rank), the input geometry and the inputs already done (--resume);
/// on rank 0 also the results writer and the classifier.
struct RunSetup {
    let network: Network
    let geometry: InputGeometry
    let done: DoneSet
    let writer: ResultsWriter?
    let classifier: Classifier?

    /// Rank 0 loads the model, builds its network and opens the results; its failure, if
    /// any, is broadcast first, so every rank stops together. Then the model (a header and
    /// its weights, straight from rank 0's array) and the done set are broadcast; the
    /// other ranks build the same network from them.
    static func prepare(_ options: RunOptions, list: InputList, comm: Communicator, report: inout TimingReport) throws -> RunSetup {
        var phase = Clock.now
        var root: (model: Model, network: Network, geometry: InputGeometry, classifier: Classifier, writer: ResultsWriter)? = nil
        var failure = "", failureStatus: Int32 = 1
        if comm.isRoot {
            do {
                let model = try ModelLoader.load(path: options.model)
                report.modelLoadSeconds = Clock.now - phase
                let network = try Network(model: model, batchSize: options.batchSize)
                let geometry = try InputGeometry(modelInput: network.inputShape)
                let classifier = Classifier(classes: options.classes.names, threshold: options.threshold,
                                            outputsAreProbabilities: model.graph.endsInProbabilities)
                try classifier.validate(outputCount: network.outputCount)
                let writer = try ResultsWriter(directory: options.outputPath, list: list, classifier: classifier,
                                               start: options.resume ? .resume : options.overwrite ? .overwrite : .fresh)
                root = (model, network, geometry, classifier, writer)
            } catch let error as PipelineError {
                (failure, failureStatus) = (error.message, error.status)
            } catch {
                failure = "\(error)"
            }
        }
        phase = Clock.now
        try Pipeline.broadcastFailure(failure, status: failureStatus, comm)
        var header = root.map { ModelBuffer.header(of: $0.model) } ?? []
        try comm.broadcast(&header)
        var weights = root?.model.weights ?? []
        try comm.broadcast(&weights)
        var doneWords = root?.writer.done.words ?? DoneSet(count: list.count).words
        try comm.broadcast(&doneWords)
        report.broadcastSeconds = Clock.now - phase
        let done = DoneSet(count: list.count, words: doneWords)
        if let root {
            return RunSetup(network: root.network, geometry: root.geometry, done: done, writer: root.writer, classifier: root.classifier)
        }
        let network = try Network(model: try ModelBuffer.decode(header: header, weights: weights), batchSize: options.batchSize)
        return RunSetup(network: network, geometry: try InputGeometry(modelInput: network.inputShape), done: done, writer: nil, classifier: nil)
    }
}
