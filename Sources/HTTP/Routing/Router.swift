import Logging

/// Routes by method and path template (`/v1/sessions/{id}`, the same syntax as openapi.yaml).
/// Build it, then hand it to the server; it is immutable while serving.
/// Unknown path → 404, known path with another method → 405 with `Allow`; HEAD is served by
/// GET handlers. Anything a handler throws becomes the error envelope (see `HTTPResponseError`).
public struct Router: HTTPHandler {
    public enum Handler: Sendable {
        /// Runs on the event loop: for handlers that never block.
        case inline(@Sendable (Request) throws -> Response)
        /// Runs off the loop: anything touching SQLite, Docker or the network.
        case async(@Sendable (Request) async throws -> Response)
    }

    public struct Route: Sendable, Equatable {
        public let method: String
        public let template: String
    }

    private var root = Node()
    public private(set) var routes: [Route] = []
    private let logger: Logger

    public init(logger: Logger = Logger(label: "warden.http.router")) { self.logger = logger }

    public mutating func add(_ method: String, _ template: String, _ handler: Handler) {
        precondition(template.hasPrefix("/"), "route templates start with /")
        let segments = Self.segments(template)
        root.insert(segments[...], method: method, handler: handler)
        routes.append(Route(method: method, template: template))
    }

    public mutating func get(_ template: String, _ handler: Handler) { add("GET", template, handler) }
    public mutating func post(_ template: String, _ handler: Handler) { add("POST", template, handler) }
    public mutating func patch(_ template: String, _ handler: Handler) { add("PATCH", template, handler) }
    public mutating func delete(_ template: String, _ handler: Handler) { add("DELETE", template, handler) }

    public func handle(_ request: Request) -> HandlerResult {
        let path: String
        switch request.target {
        case .origin(let p, _), .absolute(_, _, let p, _): path = p
        case .authority, .asterisk:
            return .response(fail(methodNotAllowed(request.method, allowed: []), request))
        }
        var parameters: [String: String] = [:]
        guard let node = root.match(Self.segments(path)[...], parameters: &parameters) else {
            return .response(fail(HTTPError.notFound("No route for \(request.method) \(path)."), request))
        }
        guard let handler = node.handlers[request.method] ?? (request.method == "HEAD" ? node.handlers["GET"] : nil) else {
            return .response(fail(methodNotAllowed(request.method, allowed: node.allowed), request))
        }
        var routed = request
        routed.parameters = parameters
        switch handler {
        case .inline(let body):
            do { return .response(try body(routed)) } catch { return .response(fail(error, routed)) }
        case .async(let body):
            let logger = self.logger
            let routed = routed
            return .async {
                do { return try await body(routed) } catch { return Self.render(error, routed, logger) }
            }
        }
    }

    private func fail(_ error: any Error, _ request: Request) -> Response {
        Self.render(error, request, logger)
    }

    static func render(_ error: any Error, _ request: Request, _ logger: Logger) -> Response {
        var metadata: Logger.Metadata {
            ["request_id": "\(request.requestID)", "method": "\(request.method)", "path": "\(request.path)",
             "error": "\(String(reflecting: error))"]
        }
        if let known = error as? any HTTPResponseError {
            // A 5xx is the server's failure, not the client's: whoever runs warden must see it.
            if known.status.code == 500 {
                logger.error("request failed", metadata: metadata)
            } else if known.status.code > 500 {
                logger.warning("request refused: \(known.code)", metadata: metadata)
            }
            return ErrorEnvelope.response(for: known, requestID: request.requestID)
        }
        logger.error("unhandled error", metadata: metadata)
        return ErrorEnvelope.response(for: ErrorEnvelope.internalError, requestID: request.requestID)
    }

    private func methodNotAllowed(_ method: String, allowed: [String]) -> HTTPError {
        HTTPError(.methodNotAllowed, code: "method_not_allowed",
                  message: "\(method) is not allowed here" + (allowed.isEmpty ? "." : "; use \(allowed.joined(separator: ", ")).")
                  , headers: ["Allow": allowed.joined(separator: ", ")])
    }

    /// The pieces after each "/" ("/a//b/" is a, "", b, ""). Split on the UTF-8 bytes: a
    /// split on Characters walks grapheme boundaries, which cost more than the routing itself.
    static func segments(_ path: String) -> [Substring] {
        var out: [Substring] = []
        let utf8 = path.utf8
        var start: String.Index?
        var i = utf8.startIndex
        while i != utf8.endIndex {
            if utf8[i] == ASCII.slash {
                if let start { out.append(path[start..<i]) }
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        if let start { out.append(path[start..<i]) }
        return out
    }

    /// One path segment of the trie: literal children, at most one `{param}` child.
    private struct Node: Sendable {
        var literal: [Substring: Node] = [:]
        var parameterName: String?
        var parameter: [Node] = []  // zero or one element; an array keeps Node a value type
        var handlers: [String: Handler] = [:]

        var allowed: [String] {
            var methods = Set(handlers.keys)
            if methods.contains("GET") { methods.insert("HEAD") }
            return methods.sorted()
        }

        mutating func insert(_ segments: ArraySlice<Substring>, method: String, handler: Handler) {
            guard let first = segments.first else {
                precondition(handlers[method] == nil, "duplicate route \(method)")
                handlers[method] = handler
                return
            }
            if first.hasPrefix("{") && first.hasSuffix("}") {
                let name = String(first.dropFirst().dropLast())
                precondition(parameterName == nil || parameterName == name, "conflicting parameter names")
                parameterName = name
                if parameter.isEmpty { parameter.append(Node()) }
                parameter[0].insert(segments.dropFirst(), method: method, handler: handler)
            } else {
                literal[first, default: Node()].insert(segments.dropFirst(), method: method, handler: handler)
            }
        }

        func match(_ segments: ArraySlice<Substring>, parameters: inout [String: String]) -> Node? {
            guard let first = segments.first else { return handlers.isEmpty ? nil : self }
            if let child = literal[first], let found = child.match(segments.dropFirst(), parameters: &parameters) {
                return found
            }
            if let name = parameterName, !first.isEmpty, let value = PercentDecoding.decode(first),
               let found = parameter[0].match(segments.dropFirst(), parameters: &parameters) {
                parameters[name] = value
                return found
            }
            return nil
        }
    }
}
