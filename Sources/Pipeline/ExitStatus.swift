import ArgumentParser

/// The exit statuses a run can end with (the README's list), the same on every rank.
public enum ExitStatus {
    /// The run completed (failed photos are rows, not errors).
    public static let completed: Int32 = 0
    /// The run could not start or a rank failed: one `error:` line.
    public static let failed: Int32 = 1
    /// More inputs failed than --max-failures allows; every result is written.
    public static let failureLimitExceeded: Int32 = 3
    /// The arguments do not make sense, or --output holds results and neither --resume nor
    /// --overwrite says what to do with them: swift-argument-parser's status for a failed
    /// validation (EX_USAGE).
    public static let usage: Int32 = ExitCode.validationFailure.rawValue
    /// A stop signal (SIGTERM, SIGINT, SIGUSR1) ended the run early; what was finished is in
    /// results.csv, and the same command with --resume does the rest (EX_TEMPFAIL).
    public static let stoppedEarly: Int32 = 75
}
