import Foundation
import HTTP

/// Minting an exchanged credential's token: the POST to the token endpoint goes out like any
/// of warden's calls (SSRF guard, verified TLS) and gets its own audit row, without the token.
extension OutboundClient {
    func mintedToken(_ credential: UnsealedCredential, exchange: CredentialExchange,
                     session: String?) async throws(OutboundCallError) -> Secret {
        let client = self
        return try await minter.token(for: credential, exchange: exchange) { request throws(OutboundCallError) in
            try await client.postToTokenEndpoint(request, credential: credential.credential.name, session: session)
        }
    }

    private func postToTokenEndpoint(_ request: TokenRequest, credential: String,
                                     session: String?) async throws(OutboundCallError) -> OutboundReply {
        var entry = ProxyAuditEntry(session: session, route: .warden, method: "POST", path: request.target.path)
        entry.credential = credential
        entry.requestBytes = request.request.body.count
        do {
            return try await audited(entry, target: request.target, failure: "token_endpoint_failed") { _ throws(OutboundCallError) in
                try await dial(request.request, target: request.target, allowPrivate: request.allowPrivate, secrets: request.secrets)
            }
        } catch {
            throw .tokenUnavailable(credential: credential, reason: error.description)
        }
    }
}
