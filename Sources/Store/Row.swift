/// Column names of one result set, shared by all its rows so each row costs only its values.
final class RowLayout: Sendable {
    let names: [String]
    /// `names` lowercased: SQLite matches column names case-insensitively; so do we. The first
    /// duplicate wins. A scan of a dozen short names beats hashing the name for every column
    /// of every row read.
    private let lowercased: [String]

    init(names: [String]) {
        self.names = names
        self.lowercased = names.map { $0.lowercased() }
    }

    func index(of name: String) -> Int? {
        if let i = lowercased.firstIndex(of: name) { return i }
        let lower = name.lowercased()
        return lower == name ? nil : lowercased.firstIndex(of: lower)
    }
}

/// One result row. Values are copied out of SQLite, so a row outlives its statement.
public struct Row: Sendable {
    let layout: RowLayout
    public let values: [SQLValue]

    init(layout: RowLayout, values: [SQLValue]) {
        self.layout = layout
        self.values = values
    }

    public var count: Int { values.count }
    public var columnNames: [String] { layout.names }

    public subscript(_ index: Int) -> SQLValue { values[index] }

    /// nil when the result has no such column (a NULL value is `.null`).
    public subscript(_ column: String) -> SQLValue? {
        layout.index(of: column).map { values[$0] }
    }

    /// Reads a column as `T`; throws `.decoding` if it is missing or of another type.
    /// Use an Optional `T` for nullable columns.
    public func get<T: SQLValueConvertible>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = layout.index(of: column) else {
            throw StoreError.decoding(column: column, expected: "\(T.self)", found: "no such column")
        }
        return try decode(index, name: column)
    }

    public func get<T: SQLValueConvertible>(at index: Int, as type: T.Type = T.self) throws -> T {
        guard values.indices.contains(index) else {
            throw StoreError.decoding(column: "#\(index)", expected: "\(T.self)", found: "no such column")
        }
        return try decode(index, name: layout.names[index])
    }

    private func decode<T: SQLValueConvertible>(_ index: Int, name: String) throws -> T {
        guard let value = T(sqlValue: values[index]) else {
            throw StoreError.decoding(column: name, expected: "\(T.self)", found: values[index].typeName)
        }
        return value
    }

    // Lenient accessors: nil for a missing column, NULL, or another type.
    public func int64(_ column: String) -> Int64? { try? get(column) }
    public func int(_ column: String) -> Int? { try? get(column) }
    public func double(_ column: String) -> Double? { try? get(column) }
    public func string(_ column: String) -> String? { try? get(column) }
    public func bool(_ column: String) -> Bool? { try? get(column) }
    public func blob(_ column: String) -> [UInt8]? { try? get(column) }
}
