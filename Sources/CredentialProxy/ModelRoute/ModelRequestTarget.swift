import HTTP

/// Which provider a proxy.sock request is for, and the path to send on: `POST
/// /model/anthropic/v1/messages` → anthropic, `/v1/messages`.
struct ModelRequestTarget: Sendable, Equatable {
    let provider: ModelProvider
    /// Starts with `/`; still percent-encoded, exactly as the agent sent it.
    let rest: String

    init(_ request: Request) throws(ModelRouteError) {
        let path = request.path
        guard let provider = ModelProvider.allCases.first(where: { path.hasPrefix("/model/\($0.rawValue)/") }) else {
            throw .unknownRoute(method: request.method, path: path)
        }
        let rest = String(path.dropFirst("/model/\(provider.rawValue)".count))
        guard rest.count > 1 else { throw .unknownRoute(method: request.method, path: path) }
        guard request.method == "POST" else { throw .methodNotAllowed(request.method) }
        // Appending "../" to a base URL's path would climb out of it; nothing legitimate needs that.
        for segment in rest.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            guard let decoded = PercentDecoding.decode(segment), decoded != ".", decoded != "..",
                  !decoded.contains("/"), !decoded.contains("\\") else { throw .invalidPath }
        }
        self.provider = provider
        self.rest = rest
    }
}
