import Foundation

/// Tar shards made by a real tar writer, Python's `tarfile`: each member is a file's bytes
/// under a member name (or, with a nil source, a few bytes of text: a WebDataset `.cls`).
public enum PythonTar {
    public enum Format: String { case ustar = "USTAR_FORMAT", gnu = "GNU_FORMAT", pax = "PAX_FORMAT" }

    public static func write(_ shard: URL, members: [(name: String, source: URL?)], format: Format = .pax) throws {
        let script = """
        import sys, tarfile, io, json
        spec = json.load(sys.stdin)
        with tarfile.open(spec["shard"], "w", format=getattr(tarfile, spec["format"])) as tar:
            for name, source in spec["members"]:
                data = open(source, "rb").read() if source else b"1\\n"
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mtime = 0
                tar.addfile(info, io.BytesIO(data))
        """
        let spec: [String: Any] = ["shard": shard.path, "format": format.rawValue,
                                   "members": members.map { [$0.name, $0.source?.path ?? NSNull()] as [Any] }]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: spec))
        try input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "PythonTar", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: String(decoding: message, as: UTF8.self)])
        }
    }
}
