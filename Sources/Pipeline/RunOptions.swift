import Image

/// Everything a run needs to know, filled in by the command line.
public struct RunOptions: Sendable {
    public var input = RawPath("data/samples")
    public var model = "models/catsordogs.h5"
    public var output = RawPath("out")
    public var batchSize = 32
    public var classes = ["cat", "dog"]
    public var threshold: Float = 0.5
    public var place = PlaceMode.link
    public var maxPixels = 100_000_000
    public var fastDecode = false
    public var resume = false
    /// Seconds between rounds that bring results to rank 0 (and update progress).
    public var roundSeconds = 1.0
    public var quiet = false
    public init() {}
}
