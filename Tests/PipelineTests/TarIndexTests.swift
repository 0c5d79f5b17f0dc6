import FileSystem
import Foundation
@testable import Pipeline
import TestSupport
import XCTest

/// The tar header reader: each header kind it understands, made byte by byte (TarWriter)
/// and by Python's tarfile, and each kind of damage, as TarIndex entries.
final class TarIndexTests: XCTestCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func shard(_ bytes: [UInt8], _ name: String = "s.tar") throws -> RawPath {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return RawPath(url.path)
    }

    func names(_ index: TarIndex) -> [String] { index.members.map { String(decoding: $0.name, as: UTF8.self) } }

    /// The bytes each member's offset and size point at.
    func data(_ index: TarIndex, in path: RawPath) throws -> [[UInt8]] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path.displayText)))
        return index.members.map { Array(bytes[Int($0.dataOffset)..<Int($0.dataOffset + $0.size)]) }
    }

    func testUstarMembersWithPrefixAndOffsets() throws {
        let long = String(repeating: "d", count: 120)
        let bytes = TarWriter.file("a.jpg", [1, 2, 3])
            + TarWriter.header(name: Array("b.JPEG".utf8), size: 600, prefix: Array(long.utf8)) + TarWriter.padded([UInt8](repeating: 7, count: 600))
            + TarWriter.file("c.png", []) + TarWriter.end
        let path = try shard(bytes)
        let index = TarScanner.scan(path)
        XCTAssertEqual(names(index), ["a.jpg", long + "/b.JPEG", "c.png"])
        XCTAssertEqual(index.members.map(\.dataOffset), [512, 1536, 3072])
        XCTAssertEqual(try data(index, in: path), [[1, 2, 3], [UInt8](repeating: 7, count: 600), []])
        XCTAssertEqual(index.entries.count, 3)
    }

    func testPaxPathAndSizeLocalAndGlobal() throws {
        let long = String(repeating: "é", count: 90) + "/cat.1.jpg"   // 190 bytes: only pax can hold it
        let bytes = TarWriter.pax([("comment", "global"), ("path", "ignored-by-local.jpg")], global: true)
            + TarWriter.pax([("path", long), ("mtime", "1.5")]) + TarWriter.file("short.jpg", [9, 9])
            + TarWriter.file("g.jpg", [4])   // takes the global path
            // A size the header's octal field cannot hold goes in pax; the header says 0.
            + TarWriter.pax([("path", "sized.gif"), ("size", "3")]) + TarWriter.header(name: Array("x".utf8), size: 0)
            + TarWriter.padded([5, 6, 7]) + TarWriter.end
        let path = try shard(bytes)
        let index = TarScanner.scan(path)
        XCTAssertEqual(names(index), [long, "ignored-by-local.jpg", "sized.gif"])
        XCTAssertEqual(try data(index, in: path), [[9, 9], [4], [5, 6, 7]])
    }

    func testGNULongName() throws {
        let long = String(repeating: "n", count: 150) + ".webp"
        let bytes = TarWriter.gnuLongName(long) + TarWriter.header(name: Array(long.prefix(100).utf8), size: 2, ustar: false)
            + TarWriter.padded([1, 2]) + TarWriter.file("next.bmp", [3]) + TarWriter.end
        let path = try shard(bytes)
        let index = TarScanner.scan(path)
        XCTAssertEqual(names(index), [long, "next.bmp"])
        XCTAssertEqual(try data(index, in: path), [[1, 2], [3]])
    }

    /// A base-256 size (GNU, for members of 8 GiB and more), read from the header alone: the
    /// member then runs past this small file, so it is the truncated one.
    func testBase256SizeHeader() throws {
        let size: Int64 = 10 << 30
        let header = TarWriter.header(name: Array("huge.jpg".utf8), size: size, base256: true)
        XCTAssertEqual(header[124], 0x80)
        let parsed = try header.withUnsafeBytes { try TarHeader($0) }
        XCTAssertEqual(parsed.size, size)
        XCTAssertEqual(parsed.name, Array("huge.jpg".utf8))
        let index = TarScanner.scan(try shard(TarWriter.file("before.jpg", [1]) + header + [UInt8](repeating: 0, count: 4096)))
        XCTAssertEqual(names(index), ["before.jpg"])
        guard case .badMember(let name, .truncatedShard, let message)? = index.entries.last else { return XCTFail("\(index.entries)") }
        XCTAssertEqual(name, Array("huge.jpg".utf8))
        XCTAssertTrue(message.contains("\(size) bytes from byte 1536"), message)
    }

    /// WebDataset's companions (.cls, .json, .txt), directories, links (with a GNU long link
    /// target) and names that only
    /// look like photos are not inputs; their data is skipped, not read as headers.
    func testNonImageMembersAreSkipped() throws {
        let bytes = TarWriter.file("k1.cls", Array("1\n".utf8)) + TarWriter.file("k1.json", Array("{}".utf8))
            + TarWriter.file("k1.jpg", [1]) + TarWriter.file("k1.txt", [UInt8](repeating: 0, count: 1024))
            + TarWriter.header(name: Array("dir.jpg/".utf8), size: 0, type: UInt8(ascii: "5"))
            + TarWriter.header(name: Array("link.jpg".utf8), size: 0, type: UInt8(ascii: "2"))
            // A GNU long link target (`K`) before a symlink: skipped, not counted as a member.
            + TarWriter.header(name: Array("././@LongLink".utf8), size: 5, type: UInt8(ascii: "K"), ustar: false)
            + TarWriter.padded(Array("away\u{0}".utf8)) + TarWriter.header(name: Array("link2.jpg".utf8), size: 0, type: UInt8(ascii: "2"))
            + TarWriter.file("k2.jpg.txt", [2]) + TarWriter.file("K2.PNG", [3]) + TarWriter.end
        let index = TarScanner.scan(try shard(bytes))
        XCTAssertEqual(names(index), ["k1.jpg", "K2.PNG"])
        XCTAssertEqual(index.entries.count, 2)
        XCTAssertEqual(index.memberCount, 9)
    }

    /// GNU sparse members (old `S` headers, with or without extension blocks, and pax's
    /// GNU.sparse keys) are one error row each; the members after them are still read.
    func testSparseMembersAreErrorRows() throws {
        var extended = TarWriter.header(name: Array("ext.jpg".utf8), size: 3, type: UInt8(ascii: "S"), ustar: false)
        extended[482] = 1   // an extension block follows
        extended = TarWriter.checksummed(extended)
        let sparseMap = [UInt8](repeating: 0, count: 512)   // byte 504 = 0: no further extension block
        let bytes = TarWriter.header(name: Array("old.jpg".utf8), size: 2, type: UInt8(ascii: "S"), ustar: false) + TarWriter.padded([1, 2])
            + extended + sparseMap + TarWriter.padded([1, 2, 3])
            + TarWriter.pax([("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0"), ("GNU.sparse.name", "new.jpg")]) + TarWriter.file("new.jpg", [1])
            + TarWriter.file("after.jpg", [4]) + TarWriter.end
        let index = TarScanner.scan(try shard(bytes))
        let sparse = "cannot read file: a GNU sparse tar member (not supported)"
        XCTAssertEqual(index.entries, [.badMember(name: Array("old.jpg".utf8), reason: .unreadable, message: sparse),
                                       .badMember(name: Array("ext.jpg".utf8), reason: .unreadable, message: sparse),
                                       .badMember(name: Array("new.jpg".utf8), reason: .unreadable, message: sparse),
                                       .member(TarIndex.Member(name: Array("after.jpg".utf8), dataOffset: Int64(bytes.count - 1024 - 512), size: 1))])
    }

    func testCorruptChecksumStopsTheShardAtItsOffset() throws {
        var bad = TarWriter.file("third.jpg", [3])
        bad[0] ^= 0x20   // the name changes, the stored checksum does not
        let bytes = TarWriter.file("one.jpg", [1]) + TarWriter.file("two.jpg", [2]) + bad + TarWriter.file("four.jpg", [4]) + TarWriter.end
        let index = TarScanner.scan(try shard(bytes))
        XCTAssertEqual(names(index), ["one.jpg", "two.jpg"])
        XCTAssertEqual(index.entries.count, 3)
        guard case .badShard(.corruptShard, let message)? = index.entries.last else { return XCTFail("\(index.entries)") }
        XCTAssertTrue(message.hasPrefix("corrupt tar header at byte 2048: header checksum"), message)
    }

    func testNotATar() throws {
        for (name, bytes) in [("jpeg.tar", [UInt8](try Data(contentsOf: TestData.photo(stem: "cat.10")))),
                              ("short.tar", Array("hello\n".utf8))] {
            let index = TarScanner.scan(try shard(bytes, name))
            guard case .badShard(.notATar, let message)? = index.entries.first, index.entries.count == 1 else {
                XCTFail("\(name): \(index.entries)"); continue
            }
            XCTAssertTrue(message.hasPrefix("not a tar archive"), message)
        }
    }

    func testEmptyShardsAreOneRow() throws {
        for (name, bytes, what) in [("zero.tar", [UInt8](), "0 bytes"), ("end.tar", TarWriter.end, "no members"),
                                    ("labels.tar", TarWriter.file("k.cls", [1]) + TarWriter.end, "1 member, none a photo")] {
            let index = TarScanner.scan(try shard(bytes, name))
            XCTAssertEqual(index.entries, [.badShard(reason: .emptyFile, message: "empty tar shard (\(what))")], name)
        }
        XCTAssertEqual(TarScanner.scan(RawPath(directory.appendingPathComponent("missing.tar").path)).entries,
                       [.badShard(reason: .notFound, message: "file not found")])
    }

    func testCutShards() throws {
        let whole = TarWriter.file("a.jpg", [UInt8](repeating: 1, count: 700)) + TarWriter.file("b.jpg", [UInt8](repeating: 2, count: 700))
        // Cut inside b's data: a is kept, b is the truncated row.
        var index = TarScanner.scan(try shard(Array(whole.prefix(2048)), "data.tar"))
        XCTAssertEqual(names(index), ["a.jpg"])
        guard case .badMember(let name, .truncatedShard, _)? = index.entries.last, index.entries.count == 2 else { return XCTFail("\(index.entries)") }
        XCTAssertEqual(name, Array("b.jpg".utf8))
        // Cut inside b's header.
        index = TarScanner.scan(try shard(Array(whole.prefix(1536 + 100)), "header.tar"))
        XCTAssertEqual(names(index), ["a.jpg"])
        XCTAssertEqual(index.entries.last, .badShard(reason: .truncatedShard, message: "tar shard cut inside the header at byte 1536"))
        // Cut inside a non-photo member: one row for the shard.
        index = TarScanner.scan(try shard(Array((TarWriter.file("a.jpg", [1]) + TarWriter.file("k.json", [UInt8](repeating: 3, count: 900))).prefix(1536)), "json.tar"))
        XCTAssertEqual(names(index), ["a.jpg"])
        guard case .badShard(.truncatedShard, let message)? = index.entries.last else { return XCTFail("\(index.entries)") }
        XCTAssertTrue(message.contains("member k.json"), message)
        // No end-of-archive blocks at all: every member is there, nothing is wrong.
        index = TarScanner.scan(try shard(whole, "noend.tar"))
        XCTAssertEqual(names(index), ["a.jpg", "b.jpg"])
        XCTAssertEqual(index.entries.count, 2)
    }

    /// Archives from a real writer, in its three formats, with names only pax or GNU can hold.
    func testPythonTarfileShards() throws {
        let sources = [TestData.photo(stem: "cat.10"), TestData.photo(stem: "dog.1")]
        let long = "deep/" + String(repeating: "ü", count: 80) + "/dog.1.jpg"
        for format in [PythonTar.Format.pax, .gnu, .ustar] {
            let name = format == .ustar ? "plain/dog.1.jpg" : long
            let url = directory.appendingPathComponent("\(format).tar")
            try PythonTar.write(url, members: [("cat.10.jpg", sources[0]), ("cat.10.cls", nil), (name, sources[1]), ("dog.1.cls", nil)],
                                format: format)
            let path = RawPath(url.path)
            let index = TarScanner.scan(path)
            XCTAssertEqual(names(index), ["cat.10.jpg", name], "\(format)")
            XCTAssertEqual(try data(index, in: path), try sources.map { [UInt8](try Data(contentsOf: $0)) }, "\(format)")
        }
    }

    /// 3,000 damaged variants of a shard (bytes changed in and around its headers, cuts):
    /// the scan never crashes, every member it gives lies inside the file on a block
    /// boundary, and what stopped it is one row, last.
    func testDamagedShardsKeepTheIndexInsideTheFile() throws {
        let base = TarWriter.pax([("path", String(repeating: "p", count: 150) + ".jpg")]) + TarWriter.file("x", [1, 2, 3])
            + TarWriter.gnuLongName(String(repeating: "g", count: 120) + ".png") + TarWriter.file("y", [UInt8](repeating: 4, count: 700))
            + TarWriter.file("k.cls", [49]) + TarWriter.file("z.jpg", [5]) + TarWriter.end
        let url = directory.appendingPathComponent("fuzz.tar")
        var kinds: [String: Int] = [:]
        for seed in 0..<3000 {
            let noise = Noise.bytes(8, seed: UInt64(seed))
            var bytes = base
            if noise[0] % 4 == 0 {
                bytes = Array(bytes.prefix(Int(noise[1]) << 4 | Int(noise[2]) >> 4))
            } else {
                for k in 0..<Int(noise[0] % 3 + 1) {
                    // Mostly the numeric fields and the pax/long-name data, where damage is subtle.
                    let position = (Int(noise[1 + 2 * k]) << 8 | Int(noise[2 + 2 * k])) % bytes.count
                    bytes[position] = noise[7 - k]
                }
            }
            try Data(bytes).write(to: url)
            let index = TarScanner.scan(RawPath(url.path))
            XCTAssertFalse(index.entries.isEmpty, "seed \(seed)")
            for (i, entry) in index.entries.enumerated() {
                switch entry {
                case .member(let m):
                    XCTAssertTrue(m.dataOffset >= 512 && m.dataOffset % 512 == 0 && m.size >= 0 && m.dataOffset + m.size <= Int64(bytes.count),
                                  "seed \(seed): \(m)")
                    kinds["member", default: 0] += 1
                case .badMember(_, let reason, _):
                    if reason == .truncatedShard { XCTAssertEqual(i, index.entries.count - 1, "seed \(seed): \(index.entries)") }
                    kinds["\(reason)", default: 0] += 1
                case .badShard(let reason, _):
                    XCTAssertEqual(i, index.entries.count - 1, "seed \(seed): \(index.entries)")
                    kinds["\(reason)", default: 0] += 1
                }
            }
        }
        // The variants reach every kind of row.
        for kind in ["member", "truncatedShard", "corruptShard", "notATar", "emptyFile"] { XCTAssertGreaterThan(kinds[kind, default: 0], 0, "\(kinds)") }
    }

    /// A manifest line naming a shard stands for its members, with the line's label, and
    /// ranges read back across the manifest's checkpoints give the same items.
    func testManifestLineNamingAShard() throws {
        var bytes: [UInt8] = []
        for i in 0..<3000 { bytes += TarWriter.file("m\(i).jpg", [UInt8(i % 256)]) }
        _ = try shard(bytes + TarWriter.end, "big.tar")
        var lines = ["path,label"]
        for i in 0..<1500 { lines.append("loose\(i).jpg,cat") }
        lines.append("big.tar,dog")
        for i in 0..<10 { lines.append("after\(i).jpg,") }
        let manifest = directory.appendingPathComponent("m.csv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: manifest)
        let list = try InputLists.open(RawPath(manifest.path))
        XCTAssertEqual(list.count, 1500 + 3000 + 10)
        let all = try list.items(0..<list.count)
        let expected = (0..<1500).map { "loose\($0).jpg" } + (0..<3000).map { "big.tar/m\($0).jpg" } + (0..<10).map { "after\($0).jpg" }
        XCTAssertEqual(all.map(\.path.displayText), expected)
        XCTAssertEqual(all[1500].label, "dog")
        XCTAssertEqual(all[4499].label, "dog")
        XCTAssertNil(all[4500].label)
        XCTAssertEqual(all[1501].origin, .member(shard: RawPath("big.tar"), offset: 1536, size: 1))
        if case .member(let shard, _, _, let name) = list.source(of: all[1501]) {
            XCTAssertEqual(shard.displayText, directory.path + "/big.tar")
            XCTAssertEqual(name.displayText, "m1.jpg")
        } else { XCTFail("not a member") }
        for range in [0..<1, 1499..<1502, 2000..<2100, 4490..<4510, 4509..<4510, 1023..<1025] {
            XCTAssertEqual(try list.items(range), Array(all[range]), "\(range)")
        }

        // Small shards between two checkpoints: a range may start past a whole shard.
        for k in 0..<3 { _ = try shard((0..<4).flatMap { TarWriter.file("s\(k)-\($0).jpg", [1]) } + TarWriter.end, "small\(k).tar") }
        let small = directory.appendingPathComponent("small.txt")
        try Data("small0.tar\nloose.jpg\nsmall1.tar\nsmall2.tar\n".utf8).write(to: small)
        let smallList = try InputLists.open(RawPath(small.path))
        let smallItems = try smallList.items(0..<smallList.count)
        XCTAssertEqual(smallItems.map(\.path.displayText),
                       (0..<4).map { "small0.tar/s0-\($0).jpg" } + ["loose.jpg"] + (1..<3).flatMap { k in (0..<4).map { "small\(k).tar/s\(k)-\($0).jpg" } })
        for lower in 0..<smallItems.count {
            for upper in (lower + 1)...smallItems.count {
                XCTAssertEqual(try smallList.items(lower..<upper), Array(smallItems[lower..<upper]), "\(lower)..<\(upper)")
            }
        }
    }

    /// A directory's shards are read beside its loose photos, in the listing's byte order.
    func testDirectoryListsShardsBesideLoosePhotos() throws {
        _ = try shard(TarWriter.file("x.jpg", [1]) + TarWriter.file("y.cls", [1]) + TarWriter.file("z.jpg", [2]) + TarWriter.end, "b.tar")
        _ = try shard([], "d.TAR")
        for name in ["a.jpg", "c.jpg"] { try Data([1]).write(to: directory.appendingPathComponent(name)) }
        let list = try InputLists.open(RawPath(directory.path))
        let items = try list.items(0..<list.count)
        XCTAssertEqual(items.map { String($0.path.displayText.dropFirst(directory.path.count + 1)) },
                       ["a.jpg", "b.tar/x.jpg", "b.tar/z.jpg", "c.jpg", "d.TAR"])
        XCTAssertEqual(items[4].origin, .unreadable(Outcome.Failure(reason: .emptyFile, message: "empty tar shard (0 bytes)")))
        let single = try InputLists.open(RawPath(directory.appendingPathComponent("b.tar").path))
        XCTAssertEqual(try single.items(0..<single.count).map(\.path), Array(items[1...2]).map(\.path))
    }
}
