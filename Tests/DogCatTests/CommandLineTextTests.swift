import Foundation
import TestSupport
import XCTest

/// The binary's exact help and error text, as a user sees them (no mpirun needed: the
/// arguments are checked before MPI starts).
final class CommandLineTextTests: XCTestCase {
    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = TestData.binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    static let usage = "Usage: dogcat-mpi <options>\n  See 'dogcat-mpi --help' for more information.\n"

    func testHelpText() throws {
        let result = try run(["--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, """
        OVERVIEW: Sort photos into classes with a trained Keras CNN, spread over MPI
        ranks.

        Run under mpirun: mpirun -np 2 dogcat-mpi --input photos/ --output out/

        USAGE: dogcat-mpi <options>

        OPTIONS:
          --input <input>         A directory of photos (JPEG, PNG, GIF, WebP, BMP;
                                  searched recursively) and .tar shards, one .tar
                                  shard, or a manifest: one path per line, or a CSV
                                  with a 'path' column and an optional 'label' column.
                                  (default: data/samples)
          --model <model>         The model: a Keras .h5 or .keras file (Sequential or
                                  Functional) or an ONNX file, recognised by content.
                                  (default: models/catsordogs.h5)
          --output <output>       Directory for results.csv, timing.json and one folder
                                  per class. (default: out)
          --batch-size <batch-size>
                                  Images per inference batch (1 = row at a time).
                                  (default: 32)
          --classes <classes>     Class names, comma-separated: two for a single
                                  sigmoid output, else one per output. (default:
                                  cat,dog)
          --threshold <threshold> For a single output: the probability at or above
                                  which the second class is chosen. (default: 0.5)
          --place <place>         How photos are put in their class folder: link (hard
                                  link, else copy), copy, symlink or none. (default:
                                  link)
          --max-pixels <max-pixels>
                                  Refuse images with more pixels than this before
                                  decoding them. (default: 100000000)
          --fast-decode           Let the JPEG decoder shrink big photos by 1/2, 1/4 or
                                  1/8 first: faster, not TensorFlow-exact.
          --resume                Keep the results already in the output directory and
                                  process only the rest (an empty or new output starts
                                  fresh).
          --overwrite             Start over in an output directory that holds results
                                  (without it, or --resume, such a directory is
                                  refused).
          --quiet                 No progress line.
          --schedule <schedule>   How inputs are shared out: static (contiguous slices)
                                  or dynamic (ranks take the next chunk as they
                                  finish). (default: static)
          --max-failures <max-failures>
                                  Exit with status 3 (after writing all results) when
                                  more than N inputs, or P% of them, fail.
          --limit <limit>         Only the first N inputs of the list.
          --dry-run               List and share out the inputs without decoding
                                  anything (to time the list handling).
          --prefetch/--no-prefetch
                                  Decode the next batch on a second thread while the
                                  current one runs through the network (helps when
                                  reading files waits on slow storage). (default:
                                  --no-prefetch)
          --cache-mb <cache-mb>   Megabytes per rank for the model inputs of recently
                                  decoded files, so a file listed again is not decoded
                                  again (0: off). (default: 64)
          --round-seconds <round-seconds>
                                  Seconds between the rounds that bring results to rank
                                  0, which appends them to results.csv (what a killed
                                  run keeps). (default: 1.0)
          -h, --help              Show help information.


        """)
    }

    func testValidationErrorText() throws {
        let result = try run(["--batch-size", "0"])
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stderr, "Error: --batch-size must be at least 1.\n" + Self.usage)
        let classes = try run(["--classes", "cat,cat"])
        XCTAssertEqual(classes.status, 64)
        XCTAssertEqual(classes.stderr, "Error: --classes names must differ.\n" + Self.usage)
        let both = try run(["--resume", "--overwrite"])
        XCTAssertEqual(both.status, 64)
        XCTAssertEqual(both.stderr, "Error: --resume and --overwrite exclude each other: --resume keeps the results in --output, --overwrite starts over.\n" + Self.usage)
    }

    func testUnknownPlaceNamesTheOptionAndItsHelp() throws {
        let result = try run(["--place", "move"])
        XCTAssertEqual(result.status, 64)
        XCTAssertEqual(result.stderr, """
            Error: The value 'move' is invalid for '--place <place>'
            Help:  --place <place>  How photos are put in their class folder: link (hard link, else copy), copy, symlink or none.

            """ + Self.usage)
    }

    func testMalformedMaxFailures() throws {
        let result = try run(["--max-failures", "5x"])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.hasPrefix("Error: The value '5x' is invalid for '--max-failures <max-failures>'\n"), result.stderr)
    }
}
