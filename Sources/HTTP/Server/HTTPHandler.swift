/// What the server calls for every complete request, on the event loop thread.
/// Fast handlers answer at once; anything that blocks (SQLite, Docker, upstream calls)
/// returns `.async`, runs off the loop, and the response is completed back onto it.
public protocol HTTPHandler: Sendable {
    func handle(_ request: Request) -> HandlerResult
}

public enum HandlerResult: Sendable {
    case response(Response)
    case async(@Sendable () async -> Response)
}

/// A handler from a closure, for tests and small servers.
public struct ClosureHandler: HTTPHandler {
    let body: @Sendable (Request) -> HandlerResult
    public init(_ body: @escaping @Sendable (Request) -> HandlerResult) { self.body = body }
    public func handle(_ request: Request) -> HandlerResult { body(request) }
}
