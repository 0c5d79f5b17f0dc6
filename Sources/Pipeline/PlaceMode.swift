import ArgumentParser

/// How a classified photo is put in its class folder (`--place`).
public enum PlaceMode: String, CaseIterable, Sendable, ExpressibleByArgument {
    case link      // hard link, falling back to a copy across file systems
    case copy
    case symlink
    case none

    /// The help text already names the choices; ArgumentParser would list them again.
    public static var allValueStrings: [String] { [] }
}
