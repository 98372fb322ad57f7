/// A cursor page request: up to `limit` items after or before an id, in id order.
public struct PageRequest: Sendable, Equatable {
    public var limit: Int
    public var after: String?
    public var before: String?
    public var descending: Bool

    public init(limit: Int = 20, after: String? = nil, before: String? = nil, descending: Bool = true) {
        self.limit = limit; self.after = after; self.before = before; self.descending = descending
    }
}

public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// More items exist past this page in the direction it was read: after its last item for
    /// a first or `after` page, before its first item for a `before` page (Stripe's convention).
    public var hasMore: Bool

    public init(items: [Item], hasMore: Bool) {
        self.items = items
        self.hasMore = hasMore
    }

    public func map<T: Sendable>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), hasMore: hasMore)
    }
}

/// Builds the keyset query for a page. `after` continues the listing past an id in the listing's
/// order; `before` returns the items just ahead of an id, still in the listing's order.
enum Pager {
    static func fetch<T>(_ db: Connection, from table: String, where conditions: [String], _ bindings: [SQLValue],
                         page: PageRequest, map: (Row) throws -> T) throws -> Page<T> {
        var clauses = conditions
        var values = bindings
        // Walking towards `before` means reading in the opposite direction, then reversing.
        let reversed = page.before != nil && page.after == nil
        let descending = page.descending != reversed
        if let after = page.after {
            clauses.append(page.descending ? "id < ?" : "id > ?")
            values.append(.text(after))
        }
        if let before = page.before {
            clauses.append(page.descending ? "id > ?" : "id < ?")
            values.append(.text(before))
        }
        let whereSQL = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        let sql = "SELECT * FROM \(table)\(whereSQL) ORDER BY id \(descending ? "DESC" : "ASC") LIMIT ?"
        values.append(.integer(Int64(page.limit + 1)))
        let rows = try db.query(sql, values)
        var items = try rows.prefix(page.limit).map(map)
        if reversed { items.reverse() }
        return Page(items: items, hasMore: rows.count > page.limit)
    }
}
