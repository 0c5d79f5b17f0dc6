import ArgumentParser

/// How inputs are shared out among the ranks (`--schedule`).
public enum Schedule: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// Rank r takes the contiguous slice [r*n/N, (r+1)*n/N).
    case `static`
    /// Ranks take the next chunk of the list from a shared counter on rank 0, so fast ranks take more.
    case dynamic

    /// The help text already names the choices; ArgumentParser would list them again.
    public static var allValueStrings: [String] { [] }
}
