extension Network {
    /// What a network may do to run faster. Each switch changes speed and rounding only:
    /// every combination computes the same model (tested against the reference kernels).
    public struct Options: Equatable, Sendable {
        /// Convolutions absorb the batch norm, clamp activation and 2x2 max pooling after
        /// them (and a ZeroPadding2D before): those outputs are then never stored.
        public var fuseLayers: Bool
        /// Winograd, the grey and the patch kernels where a layer's shape allows; off,
        /// every convolution but depthwise runs the direct kernel.
        public var fastKernels: Bool
        /// With fuseLayers, an inverted residual block (1x1 expand, depthwise, 1x1 project)
        /// runs as one step, band by band of rows, its large expanded tensor never stored
        /// whole: the very floats of the separate steps, less memory traffic.
        public var bandedBlocks: Bool
        /// The expanded rows one band may hold (speed only: any size gives the same floats).
        public var bandBytes: Int
        /// With fuseLayers, the spatial layers at the end whose weights outweigh the image
        /// tensors they read and write run on the whole batch, one layer after the other, so
        /// their weights are read once per batch (NetworkPlan); the batch then holds those
        /// layers' outputs for every image.
        public var batchTail: Bool

        public init(fuseLayers: Bool = true, fastKernels: Bool = true, bandedBlocks: Bool = true,
                    bandBytes: Int = InvertedResidualBands.defaultBandBytes, batchTail: Bool = true) {
            self.fuseLayers = fuseLayers
            self.fastKernels = fastKernels
            self.bandedBlocks = bandedBlocks
            self.bandBytes = bandBytes
            self.batchTail = batchTail
        }

        /// Everything on: what the program runs.
        public static let fastest = Options()
        /// Every node's output kept and computed directly, for comparing layer by layer.
        public static let plain = Options(fuseLayers: false, fastKernels: false, bandedBlocks: false, batchTail: false)
    }
}
