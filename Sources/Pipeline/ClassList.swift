import ArgumentParser

/// `--classes cat,dog`: the class names, in the order of the model's outputs. Split at every
/// comma, empty names kept, so `RunOptions.validate` sees (and refuses) `cat,,dog`.
public struct ClassList: Equatable, Sendable, ExpressibleByArgument {
    public var names: [String]

    public init(_ names: [String]) { self.names = names }

    public init?(argument: String) {
        names = argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    public var defaultValueDescription: String { names.joined(separator: ",") }
}
