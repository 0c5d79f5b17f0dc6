import FileSystem
import Foundation
import Image
import Pipeline
import TestSupport
import XCTest

final class InputCacheTests: XCTestCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Looks `path` up; on a miss "decodes" it (fills `value`) and stores it when asked to.
    /// Returns whether it was a hit and what the target holds afterwards.
    func load(_ cache: InputCache, _ path: RawPath, decodesTo value: Float) -> (hit: Bool, values: [Float]) {
        var target = [Float](repeating: -1, count: 4)
        let hit = target.withUnsafeMutableBufferPointer { buffer in
            let (hit, key) = cache.lookup(path, into: buffer.baseAddress!)
            if !hit {
                for i in 0..<4 { buffer[i] = value + Float(i) }
                cache.store(key, from: buffer.baseAddress!)
            }
            return hit
        }
        return (hit, target)
    }

    func file(_ name: String, _ text: String) throws -> RawPath {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return RawPath(url.path)
    }

    func testAFileSeenAgainIsServedFromTheCacheWithTheSameValues() throws {
        let cache = InputCache(megabytes: 1, inputCount: 4)
        let a = try file("a.jpg", "one"), b = try file("b.jpg", "two")
        XCTAssertFalse(load(cache, a, decodesTo: 10).hit)        // first sight: decoded, not kept
        XCTAssertFalse(load(cache, b, decodesTo: 20).hit)
        XCTAssertFalse(load(cache, a, decodesTo: 10).hit)        // second sight: decoded and kept
        let third = load(cache, a, decodesTo: 99)                 // third: served, not decoded
        XCTAssertTrue(third.hit)
        XCTAssertEqual(third.values, [10, 11, 12, 13])
        XCTAssertEqual(cache.hits, 1)
        // Another path to the same file is the same file.
        let link = RawPath(directory.appendingPathComponent("link.jpg").path)
        try FileManager.default.createSymbolicLink(atPath: link.displayText, withDestinationPath: a.displayText)
        XCTAssertTrue(load(cache, link, decodesTo: 99).hit)
    }

    func testAChangedFileIsDecodedAgain() throws {
        let cache = InputCache(megabytes: 1, inputCount: 4)
        let a = try file("a.jpg", "one")
        _ = load(cache, a, decodesTo: 10)
        _ = load(cache, a, decodesTo: 10)
        _ = try file("a.jpg", "changed")                          // new size and modification time
        let after = load(cache, a, decodesTo: 30)
        XCTAssertFalse(after.hit)
        XCTAssertEqual(after.values, [30, 31, 32, 33])
    }

    func testCapacityZeroAndMissingFilesNeverHit() throws {
        let off = InputCache(megabytes: 0, inputCount: 4)
        let a = try file("a.jpg", "one")
        for _ in 0..<3 { XCTAssertFalse(load(off, a, decodesTo: 10).hit) }
        let cache = InputCache(megabytes: 1, inputCount: 4)
        let missing = RawPath(directory.appendingPathComponent("missing.jpg").path)
        for _ in 0..<3 { XCTAssertFalse(load(cache, missing, decodesTo: 10).hit) }
        XCTAssertEqual(off.hits + cache.hits, 0)
    }
}
