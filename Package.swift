// swift-tools-version:5.10
import PackageDescription

// Hot loops are compiled -Ounchecked in release builds; the CPU is chosen by
// scripts/build-flags.sh (`-target-cpu native` unless DOGCAT_TARGET_CPU says otherwise).
let fastRelease: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "dogcat-mpi",
    products: [
        .executable(name: "dogcat-mpi", targets: ["dogcat-mpi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // C libraries: module maps plus static inline accessors for the macros Swift cannot import.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi",
                       providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),
        // libjpeg reports errors with longjmp, which Swift cannot catch: this C target is the setjmp boundary.
        .target(name: "CJPEGDecode", linkerSettings: [.linkedLibrary("jpeg")]),
        // The other formats TensorFlow reads, one thin shim per library (libpng's errors longjmp too).
        .target(name: "CPNGDecode", linkerSettings: [.linkedLibrary("png")]),
        .target(name: "CGIFDecode", linkerSettings: [.linkedLibrary("gif")]),
        .target(name: "CWebPDecode", linkerSettings: [.linkedLibrary("webp"), .linkedLibrary("webpdemux")]),
        // The CPU's subnormal-float mode (MXCSR / FPCR), which Swift cannot set.
        .target(name: "CFloatMode"),
        // The resize's horizontal step with vector permutes, which Swift has no way to express.
        .target(name: "CInterpolate"),
        // The stop signals' handler: a flag set in C, where a signal handler may run (Swift code may not).
        .target(name: "CStopSignal"),

        // Libraries.
        // File access in one place: RawPath, swift-system's FileDescriptor/Errno/Stat, and the calls it lacks.
        .target(name: "FileSystem", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "MPI", dependencies: ["CMPI"]),
        .target(name: "Image", dependencies: ["FileSystem", "CJPEGDecode", "CPNGDecode", "CGIFDecode", "CWebPDecode", "CInterpolate"],
                swiftSettings: fastRelease),
        .target(name: "Engine", dependencies: ["CFloatMode"], swiftSettings: fastRelease),
        .target(name: "ModelIO", dependencies: ["CHDF5", "Engine", "FileSystem", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(name: "Pipeline", dependencies: [
            "FileSystem", "MPI", "Image", "ModelIO", "Engine", "CStopSignal", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The executable: argument parsing and the SPMD story, nothing else.
        .executableTarget(name: "dogcat-mpi", dependencies: [
            "Pipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Developer tool: per-layer timings of the engine.
        .executableTarget(name: "engine-bench", dependencies: [
            "Engine", "ModelIO", "Image", "FileSystem", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // The MPI wrappers checked under mpirun; MPITests runs it at -np 1, 2 and 3.
        .executableTarget(name: "mpi-selftest", dependencies: ["MPI"], path: "Tests/MPISelfTest"),
        .testTarget(name: "ImageTests", dependencies: ["Image", "FileSystem", "CInterpolate", "CTurboJPEG", "TestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"], swiftSettings: fastRelease),
        .testTarget(name: "ModelIOTests", dependencies: ["ModelIO", "Engine", "CHDF5", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "FileSystem", "TestSupport"]),
        .testTarget(name: "MPITests", dependencies: ["MPI", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
        // The command line: argv parsed into fields, and the binary's exact help and error text.
        .testTarget(name: "DogCatTests", dependencies: [
            "dogcat-mpi", "Pipeline", "FileSystem", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
    ]
)
