import Foundation

/// The processes of this machine as /proc shows them: to find every process of an mpirun
/// job (Open MPI puts each rank in a process group of its own, so a group kill misses them).
public enum ProcessTree {
    public static func processIDs() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }

    public static func parent(of pid: pid_t) -> pid_t? {
        guard let data = try? ByteFile.read(Array("/proc/\(pid)/stat".utf8)) else { return nil }
        // The command name in parentheses may hold spaces: the fields that follow the last ")" are safe.
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    /// The arguments joined by spaces; "" once the process is gone.
    public static func commandLine(_ pid: pid_t) -> String {
        let data = (try? ByteFile.read(Array("/proc/\(pid)/cmdline".utf8))) ?? []
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// The process's environment as it started (/proc/PID/environ); empty once it is gone.
    public static func environment(_ pid: pid_t) -> [String: String] {
        let data = (try? ByteFile.read(Array("/proc/\(pid)/environ".utf8))) ?? []
        var result: [String: String] = [:]
        for entry in data.split(separator: 0) {
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            result[String(decoding: entry[..<equals], as: UTF8.self)] = String(decoding: entry[(equals + 1)...], as: UTF8.self)
        }
        return result
    }

    /// Every process below `root`, parents before children.
    public static func descendants(of root: pid_t) -> [pid_t] {
        let parents = Dictionary(processIDs().compactMap { pid in parent(of: pid).map { (pid, $0) } }, uniquingKeysWith: { a, _ in a })
        var result: [pid_t] = [], frontier = [root]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key).sorted()
            result += children
            frontier += children
        }
        return result
    }
}
