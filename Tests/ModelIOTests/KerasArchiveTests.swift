import Engine
import Foundation
import ModelIO
import TestSupport
import XCTest

/// Keras 3 `.keras` archives: the default model in Keras 3.15.1's layout (KerasArchiveFixture)
/// must read as exactly the model its .h5 file holds, and broken archives fail clearly.
final class KerasArchiveTests: XCTestCase {
    var directory: URL!
    override func setUpWithError() throws { directory = try TestData.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    var archiveURL: URL { directory.appendingPathComponent("catsordogs.keras") }

    func testReadsTheSameModelAsTheH5File() throws {
        let url = try KerasArchiveFixture.write(to: archiveURL)
        let expected = try ModelLoader.load(path: TestData.catsordogsModel.path)
        XCTAssertEqual(try ModelLoader.load(path: url.path), expected)
    }

    /// Without the `name` attributes the layers' slots come from the configuration's order.
    func testSlotsWithoutNamesFollowTheLayerOrder() throws {
        let url = try KerasArchiveFixture.write(to: archiveURL, nameAttributes: false)
        let expected = try ModelLoader.load(path: TestData.catsordogsModel.path)
        XCTAssertEqual(try ModelLoader.load(path: url.path), expected)
    }

    func testReaderIsChosenByContent() throws {
        let url = try KerasArchiveFixture.write(to: directory.appendingPathComponent("model.bin"))
        XCTAssertEqual(try ModelLoader.load(path: url.path).graph.inputShape, [256, 256, 1])
    }

    func testCompressedMemberIsRefused() throws {
        let url = try KerasArchiveFixture.write(to: archiveURL)
        var bytes = [UInt8](try Data(contentsOf: url))
        // Mark every member as deflated (method 8) in the central directory.
        for i in 0..<(bytes.count - 4) where bytes[i..<(i + 4)] == [0x50, 0x4B, 0x01, 0x02] { bytes[i + 10] = 8 }
        try Data(bytes).write(to: url)
        let text = loadingMessage(url)
        XCTAssertTrue(text.contains("config.json") && text.contains("compressed"), text)
    }

    func testMissingMembersAreNamed() throws {
        let noWeights = try KerasArchiveFixture.write(to: archiveURL) { $0.filter { $0.name != "model.weights.h5" } }
        XCTAssertTrue(loadingMessage(noWeights).contains("no model.weights.h5"), loadingMessage(noWeights))
        let noConfig = try KerasArchiveFixture.write(to: archiveURL) { $0.filter { $0.name != "config.json" } }
        XCTAssertTrue(loadingMessage(noConfig).contains("without config.json"), loadingMessage(noConfig))
    }

    func testTruncatedArchive() throws {
        let url = try KerasArchiveFixture.write(to: archiveURL)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 100).write(to: url)
        let text = loadingMessage(url)
        XCTAssertTrue(text.contains("catsordogs.keras") && text.contains("damaged zip"), text)
    }

    func testWeightsNotMatchingTheConfig() throws {
        let url = try KerasArchiveFixture.write(to: archiveURL) { members in
            members.map { member in
                guard member.name == "config.json" else { return member }
                let text = String(decoding: member.data, as: UTF8.self).replacingOccurrences(of: "\"units\": 256", with: "\"units\": 255")
                return (member.name, Array(text.utf8))
            }
        }
        let text = loadingMessage(url)
        XCTAssertTrue(text.contains("dense_8"), text)
    }
}
