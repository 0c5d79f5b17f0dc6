import CStopSignal
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM (Slurm's time limit, `kill`), SIGINT (Ctrl-C) and SIGUSR1 (the warning of
/// `sbatch --signal=USR1@T`) ask the run to stop early but cleanly: the handler only records
/// the signal (C, in Sources/CStopSignal); the ranks look at it when they meet in a result
/// round and stop together (ResultRounds). The first signal puts the default action back, so
/// a second one ends the process at once; rows are whole either way (each one is a single
/// write, and --resume trusts only whole rows).
enum StopSignal {
    /// Installs the handler; a run that cannot have it still runs (it just cannot stop cleanly).
    static func install() {
        if dc_stop_signal_install() != 0 { Pipeline.printError("warning: no handler for SIGTERM/SIGINT/SIGUSR1: a signal ends the run at once") }
    }

    /// The first stop signal this process received, or nil.
    static var received: Int32? {
        let signal = dc_stop_signal_received()
        return signal == 0 ? nil : signal
    }

    /// "SIGTERM" and the like, for the messages.
    static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        case SIGUSR1: return "SIGUSR1"
        default: return "signal \(signal)"
        }
    }
}
