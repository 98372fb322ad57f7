import Core
import CredentialProxy
import HTTP
import Store

public struct APIConfiguration: Sendable {
    /// How often an idle event stream gets a `: ping` comment.
    public var pingInterval: Duration = .seconds(15)
    public init() {}
}

/// What every route needs: the core, authentication, configuration, and the vault's credentials.
struct APIContext: Sendable {
    let core: WardenCore
    let auth: Authenticator
    let configuration: APIConfiguration
    let credentials: CredentialStore?
    let channelEndpoints: ChannelEndpointCache

    /// An authenticated route for `roles`; the action names what is refused in a 403.
    func route(_ roles: Set<Role>, _ action: String,
               _ body: @escaping @Sendable (Request, Principal) async throws -> Response) -> Router.Handler {
        let auth = self.auth
        return .async { request in
            let principal = try await auth.principal(for: request)
            try Access.require(principal, roles, to: action)
            return try await body(request, principal)
        }
    }

    /// A session the principal may see. Another client's session is 404, not 403, so its
    /// existence does not leak.
    func visibleSession(_ id: String, for principal: Principal) async throws -> SessionRecord {
        guard let session = try await core.sessionRecord(id),
              principal.role != .client || session.ownerKeyID == principal.keyID
        else { throw APIError.notFound("session", id) }
        return session
    }
}
