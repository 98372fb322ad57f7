import HTTP

/// The request the model route sends upstream: the agent's, minus everything that is about
/// the agent's connection or claims to be a key, plus the real key.
enum UpstreamRequest {
    /// Headers that could carry a key the agent was given (a placeholder, or anything else):
    /// whatever the agent put there is dropped, for every provider.
    static let keyHeaders = ["x-api-key", "authorization"]

    static func make(from request: Request, target: ModelRequestTarget, upstream: UpstreamURL,
                     key: UnsealedCredential) -> ClientRequest {
        var headers = HopByHop.stripped(request.headers)
        for name in keyHeaders + [key.credential.inject.header, "Host", "Content-Length", "Expect", "Accept-Encoding"] {
            headers.remove(name)
        }
        headers.add("Host", upstream.authority)
        // A compressed response could hide the key from the scrubber; ask for none.
        headers.add("Accept-Encoding", "identity")
        headers.add(key.credential.inject.header, key.headerValue.revealText())
        return ClientRequest(method: request.method, target: upstream.target(for: target.rest, query: request.query),
                             headers: headers, body: request.body)
    }
}
