import Channels
import CredentialProxy

/// Channels send through the credential proxy's outbound client, which holds the bot tokens:
/// the one place the two modules meet (the API module depends on both).
public struct OutboundClientTransport: ChannelTransport {
    let client: OutboundClient

    public init(client: OutboundClient) { self.client = client }

    public func send(_ request: OutboundRequest, credentialID: String?, session: String?) async throws(ChannelTransportError) -> ChannelResponse {
        let call = OutboundCall(method: request.method, url: request.url, headers: request.headers, body: request.body,
                                credentialID: request.credential == .none ? nil : credentialID,
                                placeholderInPath: request.credential == .urlPath, session: session)
        do {
            let reply = try await client.send(call)
            return ChannelResponse(status: reply.status.code, headers: reply.headers, body: reply.body)
        } catch {
            throw ChannelTransportError(error.description, retryable: error.retryable)
        }
    }
}
