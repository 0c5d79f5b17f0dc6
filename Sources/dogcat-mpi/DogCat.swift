import ArgumentParser
import Image
import Pipeline

/// `mpirun -np N dogcat-mpi [options]`: classify photos into cats and dogs with a Keras
/// model, every rank taking its share. The work itself is `Pipeline.run`.
@main
struct DogCat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dogcat-mpi",
        abstract: "Sort photos into classes with a trained Keras CNN, spread over MPI ranks.",
        discussion: "Run under mpirun: mpirun -np 2 dogcat-mpi --input photos/ --output out/")

    @Option(help: "A directory of .jpg/.jpeg photos (searched recursively), or a manifest: one path per line, or a CSV with a 'path' column and an optional 'label' column.")
    var input = "data/samples"

    @Option(help: "The model: a Keras .h5 or .keras file (Sequential or Functional) or an ONNX file, recognised by content.")
    var model = "models/catsordogs.h5"

    @Option(help: "Directory for results.csv, timing.json and one folder per class.")
    var output = "out"

    @Option(help: "Images per inference batch (1 = row at a time).")
    var batchSize = 32

    @Option(help: "Class names, comma-separated: two for a single sigmoid output, else one per output.")
    var classes = "cat,dog"

    @Option(help: "For a single output: the probability at or above which the second class is chosen.")
    var threshold: Float = 0.5

    @Option(help: "How photos are put in their class folder: link (hard link, else copy), copy, symlink or none.")
    var place = "link"

    @Option(help: "Refuse images with more pixels than this before decoding them.")
    var maxPixels = 100_000_000

    @Flag(help: "Let the JPEG decoder shrink big photos by 1/2, 1/4 or 1/8 first: faster, not TensorFlow-exact.")
    var fastDecode = false

    @Flag(help: "Keep the results already in the output directory and process only the rest.")
    var resume = false

    @Flag(help: "No progress line.")
    var quiet = false

    @Option(help: "How inputs are shared out: static (contiguous slices) or dynamic (ranks take the next chunk as they finish).")
    var schedule = "static"

    @Option(help: "Exit with status 3 (after writing all results) when more than N inputs, or P% of them, fail.")
    var maxFailures: String? = nil

    @Option(help: "Only the first N inputs of the list.")
    var limit: Int? = nil

    @Flag(help: "List and share out the inputs without decoding anything (to time the list handling).")
    var dryRun = false

    @Flag(inversion: .prefixedNo, help: "Decode the next batch on a second thread while the current one runs through the network (helps when reading files waits on slow storage).")
    var prefetch = false

    @Option(help: "Megabytes per rank for the model inputs of recently decoded files, so a file listed again is not decoded again (0: off).")
    var cacheMb = 64

    @Option(help: "Seconds between the rounds that bring results to rank 0, which appends them to results.csv (what a killed run keeps).")
    var roundSeconds = 1.0

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1.") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1.") }
        if PlaceMode(rawValue: place) == nil {
            throw ValidationError("--place must be one of: \(PlaceMode.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let names = classes.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if names.count < 2 || names.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.contains("/") }) {
            throw ValidationError("--classes needs at least two non-empty names without '/', e.g. cat,dog.")
        }
        if Set(names).count != names.count { throw ValidationError("--classes names must differ.") }
        if !(threshold > 0 && threshold < 1) { throw ValidationError("--threshold must be between 0 and 1.") }
        if Schedule(rawValue: schedule) == nil { throw ValidationError("--schedule must be static or dynamic.") }
        if let maxFailures, FailureLimit(maxFailures) == nil {
            throw ValidationError("--max-failures takes a count (e.g. 10) or a percentage (e.g. 5%).")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative.") }
        if cacheMb < 0 { throw ValidationError("--cache-mb must not be negative.") }
        if !(roundSeconds > 0) { throw ValidationError("--round-seconds must be positive.") }
    }

    func run() throws {
        var options = RunOptions()
        options.input = RawPath(input)
        options.model = model
        options.output = RawPath(output)
        options.batchSize = batchSize
        options.classes = classes.split(separator: ",").map(String.init)
        options.threshold = threshold
        options.place = PlaceMode(rawValue: place)!
        options.maxPixels = maxPixels
        options.fastDecode = fastDecode
        options.resume = resume
        options.quiet = quiet
        options.schedule = Schedule(rawValue: schedule)!
        options.maxFailures = maxFailures.flatMap(FailureLimit.init)
        options.limit = limit
        options.dryRun = dryRun
        options.prefetch = prefetch
        options.cacheMegabytes = cacheMb
        options.roundSeconds = roundSeconds
        let status = Pipeline.run(options)
        if status != 0 { throw ExitCode(status) }
    }
}
