import Core
import HTTP
import Store

/// `?limit=20&after=ID&before=ID&order=asc|desc` and the list envelope of SPEC §3.
enum Pagination {
    static func page(from request: Request, defaultOrder: String = "desc") throws -> PageRequest {
        let query = request.queryParameters
        var page = PageRequest(limit: 20, descending: defaultOrder == "desc")
        if let text = query["limit"] {
            guard let limit = Int(text), (1...100).contains(limit) else {
                throw APIError.invalid("limit", "'limit' must be a whole number from 1 to 100.")
            }
            page.limit = limit
        }
        if let order = query["order"] {
            guard order == "asc" || order == "desc" else { throw APIError.invalid("order", "'order' must be 'asc' or 'desc'.") }
            page.descending = order == "desc"
        }
        for name in ["after", "before"] {
            if let value = query[name] {
                guard !value.isEmpty, value.utf8.count <= 64, value.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
                    throw APIError.invalid(name, "'\(name)' must be an id from a previous page.")
                }
            }
        }
        page.after = query["after"]
        page.before = query["before"]
        if page.after != nil && page.before != nil {
            throw APIError.invalid("before", "Use 'after' or 'before', not both.")
        }
        return page
    }

    static func response<T: JSONWritable & Sendable>(_ page: Page<T>, id: (T) -> String) -> Response {
        .json(JSONCoding.encode(ListEnvelope(data: page.items, first_id: page.items.first.map(id),
                                             last_id: page.items.last.map(id), has_more: page.hasMore)), status: .ok)
    }
}

struct ListEnvelope<T: JSONWritable>: JSONWritable {
    var data: [T]
    var first_id: String?
    var last_id: String?
    var has_more: Bool

    func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("data", data); w.key("first_id", first_id); w.key("has_more", has_more); w.key("last_id", last_id)
        w.key("object", "list")
        w.objectEnd()
    }
}

/// Query filters that must be one of a fixed set.
enum QueryFilter {
    static func oneOf(_ request: Request, _ name: String, _ allowed: [String]) throws -> String? {
        guard let value = request.queryParameters[name] else { return nil }
        guard allowed.contains(value) else {
            throw APIError.invalid(name, "'\(name)' must be one of: \(allowed.joined(separator: ", ")).")
        }
        return value
    }
}
