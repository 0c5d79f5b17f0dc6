import Foundation

/// Rank 0's progress line: done/total, images/s, ETA and failures. On a terminal it is one
/// line rewritten in place; otherwise a plain line every few seconds. Fed once per round.
final class Progress {
    let total: Int
    let quiet: Bool
    private let isTerminal = Progress.stderrIsTerminal()
    private let start = Clock.now
    private var lastPrinted = 0.0
    private var done = 0
    private var failed = 0
    private let alreadyDone: Int

    init(total: Int, alreadyDone: Int, quiet: Bool) {
        self.total = total
        self.alreadyDone = alreadyDone
        self.quiet = quiet
        done = alreadyDone
    }

    func update(_ outcomes: [Outcome]) {
        done += outcomes.count
        failed += outcomes.filter { $0.failure != nil }.count
        guard !quiet else { return }
        let now = Clock.now
        if !isTerminal && now - lastPrinted < 5 { return }
        lastPrinted = now
        let rate = Double(done - alreadyDone) / max(now - start, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "progress: %d/%d images, %.0f images/s, ETA %.0f s, %d failed", done, total, rate, eta, failed)
        FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }

    /// Under mpirun, rank 0's stderr is a pipe that mpirun copies to its own stderr: look at
    /// the parent's (mpirun's, on rank 0's node) too.
    static func stderrIsTerminal() -> Bool {
        if isatty(STDERR_FILENO) != 0 { return true }
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(getppid())/fd/2")) ?? ""
        return target.hasPrefix("/dev/pts/") || target.hasPrefix("/dev/tty")
    }

    /// Ends the in-place line so the report starts on a fresh one.
    func finish() {
        if !quiet && isTerminal && lastPrinted > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
