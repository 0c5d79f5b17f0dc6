import Foundation
import TestSupport
import XCTest

/// scripts/netns-cluster.sh end to end: a real 3-host Open MPI run (network namespaces as
/// hosts, TCP between them) whose results.csv must match a single-host run byte for byte,
/// leaving no namespace behind. Needs root; skipped where namespaces cannot be made.
final class ClusterTests: XCTestCase {
    static let script = TestData.repository.appendingPathComponent("scripts/netns-cluster.sh")
    static let timeout: Double = 180

    func testThreeHostRunMatchesSingleHost() throws {
        try skipUnlessNamespacesPermitted()
        let labels = TestData.photos.appendingPathComponent("labels.csv")
        guard FileManager.default.fileExists(atPath: labels.path) else {
            throw XCTSkip("no dev photos at \(labels.path)")
        }
        let before = try dogcatNamespaces()
        guard before.isEmpty else {
            throw XCTSkip("a dogcat cluster is already up (\(before.joined(separator: " "))); "
                          + "remove it with: scripts/netns-cluster.sh down")
        }
        let directory = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = try writeManifest(from: labels, every: 50, to: directory)

        let run = try Self.shell(["bash", Self.script.path, "run", "--input", manifest.path, "--quiet"],
                                 timeout: Self.timeout)
        if run.timedOut { _ = try? Self.shell(["bash", Self.script.path, "down"], timeout: 60) }
        if run.status == 77 { throw XCTSkip("netns-cluster.sh: \(run.output)") }
        let output = "netns-cluster.sh output:\n\(run.output.suffix(6000))"
        XCTAssertFalse(run.timedOut, "killed after \(Self.timeout) s; \(output)")
        XCTAssertEqual(run.status, 0, output)
        XCTAssertTrue(run.output.contains("results.csv identical"), output)
        XCTAssertTrue(run.output.contains("netns-cluster: PASS"), output)
        XCTAssertEqual(try dogcatNamespaces(), [], "namespaces left behind; \(output)")
    }

    // MARK: - Helpers

    /// Skips unless this process may create network namespaces (root with CAP_SYS_ADMIN and
    /// CAP_NET_ADMIN, iproute2 and unshare installed).
    func skipUnlessNamespacesPermitted() throws {
        guard getuid() == 0 else { throw XCTSkip("network namespaces need root (uid is \(getuid()))") }
        let list = try Self.shell(["ip", "netns", "list"], timeout: 30)
        guard list.status == 0 else { throw XCTSkip("`ip netns list` is not permitted here: \(list.output)") }
        let probe = try Self.shell(["unshare", "--net", "--uts", "true"], timeout: 30)
        guard probe.status == 0 else {
            throw XCTSkip("cannot create network namespaces here (no CAP_SYS_ADMIN/CAP_NET_ADMIN?): \(probe.output)")
        }
    }

    /// The namespaces netns-cluster.sh makes (dogcat-h1...) that exist now.
    func dogcatNamespaces() throws -> [String] {
        let list = try Self.shell(["ip", "netns", "list"], timeout: 30)
        return list.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix("dogcat-h") }
    }

    /// A small CSV manifest (every `every`-th dev photo, cats and dogs, absolute paths).
    func writeManifest(from labels: URL, every: Int, to directory: URL) throws -> URL {
        let lines = try String(contentsOf: labels, encoding: .utf8).split(separator: "\n").dropFirst()
        let folder = labels.deletingLastPathComponent()
        var manifest = "path,label\n"
        for (index, line) in lines.enumerated() where index % every == 0 {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let label = fields.count > 1 ? fields[1] : ""
            manifest += "\(folder.appendingPathComponent(fields[0]).path),\(label)\n"
        }
        let url = directory.appendingPathComponent("cluster-manifest.csv")
        try manifest.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Runs a command with the tests' environment. Past `timeout`: SIGTERM (the script's trap
    /// tears the cluster down), then SIGKILL.
    static func shell(_ arguments: [String], timeout: Double) throws -> CommandRun {
        try CommandRun.run(arguments, timeout: timeout)
    }
}
