import Core
import HTTP
import Logging

/// The handler for a session's proxy.sock: `POST /model/{anthropic|openai}/<rest>` goes to the
/// provider's configured base URL + `<rest>` with the real key from the vault in place of
/// whatever the agent sent, and the answer comes back as it arrives, with the key scrubbed out.
/// Every request, relayed or refused, leaves one `proxy.request` audit row.
public struct ModelRoute: HTTPHandler {
    let store: CredentialStore
    let client: HTTPClient
    let configuration: ModelRouteConfiguration
    let auditor: ProxyAuditor
    let logger: Logger

    public init(store: CredentialStore, client: HTTPClient, configuration: ModelRouteConfiguration,
                logger: Logger = Logger(label: "warden.proxy")) {
        self.store = store
        self.client = client
        self.configuration = configuration
        self.logger = logger
        auditor = ProxyAuditor(store: store, logger: logger)
    }

    public func handle(_ request: Request) -> HandlerResult {
        var entry = ProxyAuditEntry(session: nil, route: .model, method: request.method, path: request.path)
        entry.requestBytes = request.body.count
        return auditor.exchange(request, entry: entry, noSession: ModelRouteError.noSession, logger: logger) {
            [self] _, entry throws(ModelRouteError) in
            try await forward(request, target: try ModelRequestTarget(request), audit: &entry)
        }
    }

    private func forward(_ request: Request, target: ModelRequestTarget,
                         audit entry: inout ProxyAuditEntry) async throws(ModelRouteError) -> Response {
        let provider = target.provider
        guard let upstream = configuration.upstream(for: provider) else { throw .upstreamNotConfigured(provider) }
        entry.host = upstream.authority
        entry.path = upstream.pathPrefix + target.rest
        let key = try await unsealKey(provider)
        entry.credential = key.credential.name

        let outgoing = UpstreamRequest.make(from: request, target: target, upstream: upstream, key: key)
        let head: ResponseHead, body: ClientBodyStream
        do {
            (head, body) = try await client.stream(outgoing, to: upstream.destination,
                                                   idleTimeout: configuration.upstreamIdleTimeout)
        } catch {
            logger.warning("model upstream unreachable", metadata: ["provider": "\(provider.rawValue)",
                                                                   "upstream": "\(upstream)", "error": "\(error)"])
            throw .upstreamUnreachable(provider, upstream, reason: error.description)
        }
        if let encoding = head.headers["Content-Encoding"], encoding.lowercased() != "identity" {
            throw .upstreamEncoded(provider, encoding: encoding)
        }
        entry.status = head.status.code
        return await ResponseRelay(secrets: [key.secret], auditor: auditor, logger: logger).response(head, body, audit: entry, requestID: request.requestID)
    }

    private func unsealKey(_ provider: ModelProvider) async throws(ModelRouteError) -> UnsealedCredential {
        let found: UnsealedCredential?
        do {
            found = try await store.unseal(name: provider.credentialName)
        } catch {
            // The error names the credential and the key's source, never a secret.
            logger.error("cannot open the model key", metadata: ["provider": "\(provider.rawValue)", "error": "\(error)"])
            throw .keyUnavailable(provider)
        }
        guard let found else { throw .keyMissing(provider) }
        return found
    }
}
