/// The model input an image is turned into: height x width x channels (1 = grey, 3 = RGB).
public struct InputGeometry: Equatable, Sendable {
    public var height: Int
    public var width: Int
    public var channels: Int
    public init(height: Int, width: Int, channels: Int) {
        self.height = height; self.width = width; self.channels = channels
    }
    public var count: Int { height * width * channels }

    /// The gate between a model and the preprocessor, right after shape inference: the
    /// model's input shape must be [height, width, 1 or 3]. The only check of the channels.
    public init(modelInput shape: [Int]) throws(InputGeometryError) {
        guard shape.count == 3 else { throw InputGeometryError("the model input is not an image") }
        guard shape[2] == 1 || shape[2] == 3 else {
            throw InputGeometryError("the model input has \(shape[2]) channels; images give 1 (grey) or 3 (RGB)")
        }
        self.init(height: shape[0], width: shape[1], channels: shape[2])
    }
}
