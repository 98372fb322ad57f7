import Foundation
import HTTP
import Logging

/// Warden's own calls to platform APIs, through the credential proxy's machinery: the token is
/// injected here, on the way out, exactly as for an agent's request — placeholder replaced,
/// injection header set — and only toward the credential's own hosts; the host is resolved
/// once and every address checked (private addresses only for a host the credential names
/// exactly); TLS is verified; secrets are scrubbed from the reply; one `proxy.request` audit
/// row with `route: warden`.
public struct OutboundClient: Sendable {
    public static let maximumReplyBytes = 1 << 20
    let store: CredentialStore
    let client: HTTPClient
    let resolver: EgressResolver
    let auditor: ProxyAuditor
    let timeout: Duration
    let logger: Logger
    /// Tokens of exchanged credentials; share one client (or one minter) to share the cache.
    let minter: TokenMinter

    public init(store: CredentialStore, client: HTTPClient, resolver: EgressResolver = EgressResolver(),
                timeout: Duration = .seconds(30), minter: TokenMinter = TokenMinter(),
                logger: Logger = Logger(label: "warden.outbound")) {
        self.store = store
        self.minter = minter
        self.client = client
        self.resolver = resolver
        self.timeout = timeout
        self.logger = logger
        auditor = ProxyAuditor(store: store, logger: logger)
    }

    public func send(_ call: OutboundCall) async throws(OutboundCallError) -> OutboundReply {
        let target = try OutboundTarget(call.url)
        var entry = ProxyAuditEntry(session: call.session, route: .warden, method: call.method, path: target.path)
        entry.requestBytes = call.body.count
        do {
            return try await audited(entry, target: target, failure: "outbound_failed") { entry throws(OutboundCallError) in
                try await exchange(call, target: target, audit: &entry)
            }
        } catch {
            logger.warning("warden's outbound call failed", metadata: ["host": "\(target.auditHost)", "error": "\(error)"])
            throw error
        }
    }

    /// Runs `body` and records one audit row for it, whatever the outcome.
    func audited(_ entry: ProxyAuditEntry, target: OutboundTarget, failure: String,
                 _ body: (inout ProxyAuditEntry) async throws(OutboundCallError) -> OutboundReply) async throws(OutboundCallError) -> OutboundReply {
        var entry = entry
        entry.host = target.auditHost
        do {
            let reply = try await body(&entry)
            entry.status = reply.status.code
            entry.bytes = reply.body.count
            await auditor.record(entry)
            return reply
        } catch {
            entry.error = failure
            await auditor.record(entry)
            throw error
        }
    }

    private func exchange(_ call: OutboundCall, target: OutboundTarget,
                          audit entry: inout ProxyAuditEntry) async throws(OutboundCallError) -> OutboundReply {
        let credential = try await open(call.credentialID, for: target)
        entry.credential = credential?.credential.name
        guard let credential, let exchange = credential.credential.exchange else {
            return try await send(call, target: target, credential: credential, alsoScrub: [])
        }
        // The token stands where the secret would; the secret itself is scrubbed too.
        let token = try await mintedToken(credential, exchange: exchange, session: call.session)
        let reply = try await send(call, target: target, credential: UnsealedCredential(credential: credential.credential, secret: token),
                                   alsoScrub: [credential.secret])
        guard reply.status == .unauthorized else { return reply }
        // Revoked or expired early: one fresh token, one more try.
        await minter.discard(credentialID: credential.credential.id, token: token)
        let fresh = try await mintedToken(credential, exchange: exchange, session: call.session)
        return try await send(call, target: target, credential: UnsealedCredential(credential: credential.credential, secret: fresh),
                              alsoScrub: [credential.secret, token])
    }

    private func send(_ call: OutboundCall, target: OutboundTarget, credential: UnsealedCredential?,
                      alsoScrub: [Secret]) async throws(OutboundCallError) -> OutboundReply {
        let credentials = ForwardCredentials(unsealed: credential.map { [$0] } ?? [])
        var path = target.originForm
        if call.placeholderInPath, let credential, let placeholder = credential.credential.placeholder, !placeholder.isEmpty {
            path = path.replacingOccurrences(of: placeholder, with: credential.secret.revealText())
        }
        let asRequest = Request(method: call.method, target: .origin(path: target.path, query: nil), headers: call.headers)
        let request = ClientRequest(method: call.method, target: path,
                                    headers: credentials.outgoingHeaders(from: asRequest, authority: target.authority),
                                    body: call.body)
        let namedExactly = credential?.credential.hosts.contains(target.host.name) ?? false
        // Raw and base64, as `ForwardCredentials.secrets` scrubs the injected one.
        let secrets = credentials.secrets + alsoScrub.flatMap { [$0, Secret(Data($0.bytes).base64EncodedString())] }
        return try await dial(request, target: target, allowPrivate: namedExactly, secrets: secrets)
    }

    /// Resolves once, checks every address, dials the checked ones in turn over verified TLS.
    func dial(_ request: ClientRequest, target: OutboundTarget, allowPrivate: Bool,
              secrets: [Secret]) async throws(OutboundCallError) -> OutboundReply {
        let addresses: [DialAddress]
        do {
            addresses = try await resolver.resolve(target.host, port: target.port, allowPrivate: allowPrivate)
        } catch {
            switch error {
            case .lookupFailed, .noAddresses: throw .unreachable("\(target.auditHost): \(error.reason)")
            default: throw .addressRefused(error.reason)
            }
        }
        let head: ResponseHead, body: ClientBodyStream
        do {
            (head, body) = try await client.stream(request, toChecked: addresses, secure: target.secure,
                                                   serverName: target.host.name, idleTimeout: timeout)
        } catch {
            throw .unreachable(error.reason)
        }
        do {
            return try await Self.collect(head, body, secrets: secrets)
        } catch let error as OutboundCallError {
            throw error
        } catch {
            throw .unreachable("\(target.auditHost): \(error)")
        }
    }

    private func open(_ id: String?, for target: OutboundTarget) async throws(OutboundCallError) -> UnsealedCredential? {
        guard let id else { return nil }
        do {
            guard let credential = try await store.list().first(where: { $0.id == id }) else { throw OutboundCallError.credentialMissing(id) }
            guard credential.matches(host: target.host.name) else {
                throw OutboundCallError.credentialNotForHost(credential: credential.name, host: target.host.description)
            }
            guard let unsealed = try await store.unseal(name: credential.name) else { throw OutboundCallError.credentialMissing(id) }
            return unsealed
        } catch let error as OutboundCallError {
            throw error
        } catch {
            logger.error("cannot open a credential for an outbound call", metadata: ["credential": "\(id)", "error": "\(error)"])
            throw .credentialUnavailable(id)
        }
    }

    private static func collect(_ head: ResponseHead, _ body: ClientBodyStream, secrets: [Secret]) async throws -> OutboundReply {
        var scrubber = MultiSecretScrubber(secrets)
        var bytes: [UInt8] = []
        while let chunk = try await body.next() {
            bytes += scrubber.feed(chunk)
            guard bytes.count <= maximumReplyBytes else { throw OutboundCallError.responseTooLarge(maximumReplyBytes) }
        }
        bytes += scrubber.finish()
        var headers = HTTPHeaders()
        for field in HopByHop.stripped(head.headers) { headers.add(field.name, SecretScrubber.scrub(field.value, secrets: secrets)) }
        return OutboundReply(status: head.status, headers: headers, body: bytes)
    }
}
