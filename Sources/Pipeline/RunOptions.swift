import ArgumentParser
import FileSystem

/// Everything a run needs to know, as the command line gives it: each option's default
/// and help live here once; `DogCat` pulls them in with `@OptionGroup`.
public struct RunOptions: ParsableArguments {
    @Option(help: "A directory of photos (JPEG, PNG, GIF, WebP, BMP; searched recursively) and .tar shards, one .tar shard, or a manifest: one path per line, or a CSV with a 'path' column and an optional 'label' column.")
    public var input = "data/samples"

    @Option(help: "The model: a Keras .h5 or .keras file (Sequential or Functional) or an ONNX file, recognised by content.")
    public var model = "models/catsordogs.h5"

    @Option(help: "Directory for results.csv, timing.json and one folder per class.")
    public var output = "out"

    @Option(help: "Images per inference batch (1 = row at a time).")
    public var batchSize = 32

    @Option(help: "Class names, comma-separated: two for a single sigmoid output, else one per output.")
    public var classes = ClassList(["cat", "dog"])

    @Option(help: "For a single output: the probability at or above which the second class is chosen.")
    public var threshold: Float = 0.5

    @Option(help: "How photos are put in their class folder: link (hard link, else copy), copy, symlink or none.")
    public var place = PlaceMode.link

    @Option(help: "Refuse images with more pixels than this before decoding them.")
    public var maxPixels = 100_000_000

    @Flag(help: "Let the JPEG decoder shrink big photos by 1/2, 1/4 or 1/8 first: faster, not TensorFlow-exact.")
    public var fastDecode = false

    @Flag(help: "Keep the results already in the output directory and process only the rest (an empty or new output starts fresh).")
    public var resume = false

    @Flag(help: "Start over in an output directory that holds results (without it, or --resume, such a directory is refused).")
    public var overwrite = false

    @Flag(help: "No progress line.")
    public var quiet = false

    @Option(help: "How inputs are shared out: static (contiguous slices) or dynamic (ranks take the next chunk as they finish).")
    public var schedule = Schedule.static

    @Option(help: "Exit with status 3 (after writing all results) when more than N inputs, or P% of them, fail.")
    public var maxFailures: FailureLimit? = nil

    @Option(help: "Only the first N inputs of the list.")
    public var limit: Int? = nil

    @Flag(help: "List and share out the inputs without decoding anything (to time the list handling).")
    public var dryRun = false

    @Flag(inversion: .prefixedNo, help: "Decode the next batch on a second thread while the current one runs through the network (helps when reading files waits on slow storage).")
    public var prefetch = false

    @Option(name: .customLong("cache-mb"),
            help: ArgumentHelp("Megabytes per rank for the model inputs of recently decoded files, so a file listed again is not decoded again (0: off).",
                               valueName: "cache-mb"))
    public var cacheMegabytes = 64

    @Option(help: "Seconds between the rounds that bring results to rank 0, which appends them to results.csv (what a killed run keeps).")
    public var roundSeconds = 1.0

    public init() {}

    /// Checks across the arguments only (never the file system), so every rank gets the same answer.
    public func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1.") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1.") }
        if classes.names.count < 2 || classes.names.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.contains("/") }) {
            throw ValidationError("--classes needs at least two non-empty names without '/', e.g. cat,dog.")
        }
        if Set(classes.names).count != classes.names.count { throw ValidationError("--classes names must differ.") }
        if !(threshold > 0 && threshold < 1) { throw ValidationError("--threshold must be between 0 and 1.") }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative.") }
        if cacheMegabytes < 0 { throw ValidationError("--cache-mb must not be negative.") }
        if !(roundSeconds > 0) { throw ValidationError("--round-seconds must be positive.") }
        if resume && overwrite {
            throw ValidationError("--resume and --overwrite exclude each other: --resume keeps the results in --output, --overwrite starts over.")
        }
    }

    /// `--input` as the path the file system is given.
    public var inputPath: RawPath { RawPath(input) }
    /// `--output` as the path the file system is given.
    public var outputPath: RawPath { RawPath(output) }
}
