/// A request path in the one form egress rules are matched against (SPEC §5: "normalise or
/// refuse dot-segments and encoded slashes before matching a path rule").
///
/// Normalising: the query is cut off, escapes of unreserved characters are decoded (RFC 3986
/// §6.2.2.2) and the others upper-cased (§6.2.2.1), empty segments are dropped (`//` → `/`),
/// and `.`/`..` segments are resolved (§5.2.4), also when written `%2e`. Refused, because
/// servers read them differently: encoded slashes, backslashes and NUL, double encoding, dot
/// segments with `;parameters`, and `..` above the root (see `PathRefusal`).
///
/// The proxy should send the normalised path upstream, so the rule decided on the same path the
/// server receives.
public struct NormalizedPath: Sendable, Hashable, CustomStringConvertible {
    /// Starts with `/`; ends with `/` when the original did (or ended in a dot segment).
    public let value: String

    public init(_ target: some StringProtocol) throws(PathRefusal) {
        let path = Array(target.utf8.prefix { $0 != UInt8(ascii: "?") })
        guard !path.contains(UInt8(ascii: "#")) else { throw .fragment }
        guard path.first == UInt8(ascii: "/") else { throw .notAbsolute }

        var kept: [String] = []
        var lastSegmentWasDot = false
        for raw in path.split(separator: UInt8(ascii: "/")) {
            let segment = try PathSegment.canonical(raw)
            lastSegmentWasDot = segment == "." || segment == ".."
            if segment == ".." {
                guard !kept.isEmpty else { throw .climbsAboveRoot }
                kept.removeLast()
            } else if segment != "." {
                kept.append(segment)
            }
        }
        // `/a/b/..` names the directory `/a/`, as RFC 3986 §5.2.4 resolves it.
        let endsInDirectory = path.last == UInt8(ascii: "/") || lastSegmentWasDot
        let joined = "/" + kept.joined(separator: "/")
        value = endsInDirectory && !kept.isEmpty ? joined + "/" : joined
    }

    /// Whether `prefix` names this path or a directory above it, compared segment by segment:
    /// `/v1` and `/v1/` both match `/v1`, `/v1/` and `/v1/x`, never `/v10`; `/` matches all.
    public func isWithin(_ prefix: NormalizedPath) -> Bool {
        let base = prefix.withoutTrailingSlash
        return value == base || value.hasPrefix(base + "/")
    }

    /// `isWithin` as any server might read the two paths: letters in any case (IIS, macOS) and
    /// each segment without its `;parameters` (Tomcat, Jetty), so `/ADMIN;x/keys` is within
    /// `/admin`. For rules that hold requests back: a looser match only holds back more.
    func isWithinAsAnyServerReads(_ prefix: NormalizedPath) -> Bool {
        let path = looseSegments
        let base = prefix.looseSegments
        return path.count >= base.count && zip(path, base).allSatisfy { $0 == $1 }
    }

    private var looseSegments: [Substring] {
        value.lowercased().split(separator: "/").map { $0.prefix { $0 != ";" } }
    }

    /// How many segments the path has: what "a longer path prefix" means when rules compete.
    var segmentCount: Int { withoutTrailingSlash.utf8.reduce(0) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 } }

    /// "" for the root, so `base + "/"` is always the directory form.
    private var withoutTrailingSlash: Substring {
        value.hasSuffix("/") ? value.dropLast() : Substring(value)
    }

    public var description: String { value }
}
