/// results.csv's header, the order of every row's fields.
enum ResultsHeader { static let fields = ["path", "label", "score", "raw", "status", "error"] }
