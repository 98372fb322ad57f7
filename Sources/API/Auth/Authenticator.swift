import Core
import HTTP

/// Bearer API keys (SPEC §3): `Authorization: Bearer wk_…`.
struct Authenticator: Sendable {
    let core: WardenCore

    func principal(for request: Request) async throws -> Principal {
        guard let header = request.headers["Authorization"] else {
            throw APIError.unauthenticated("missing_api_key", "Send an API key as 'Authorization: Bearer wk_…'.")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty, parts[1].utf8.count <= 256 else {
            throw APIError.unauthenticated("invalid_authorization", "The Authorization header must be 'Bearer <api key>'.")
        }
        guard let principal = try await core.authenticate(secret: String(parts[1].trimmingOWS())) else {
            throw APIError.unauthenticated("invalid_api_key", "The API key is not valid or has been revoked.")
        }
        return principal
    }
}

/// Who may do what (SPEC §3). A `client` also only ever sees sessions it created.
enum Access {
    static let sessions: Set<Role> = [.admin, .operator, .client]
    static let runsCancel: Set<Role> = [.admin, .operator, .client]
    static let sessionEvents: Set<Role> = [.admin, .operator, .approver, .client]
    static let approvalsRead: Set<Role> = [.admin, .operator, .approver]
    static let approvalsDecide: Set<Role> = [.admin, .approver]
    static let globalEvents: Set<Role> = [.admin, .approver]
    static let adminOnly: Set<Role> = [.admin]
    /// Counters say how busy warden is, not what it holds; monitoring runs with an operator key.
    static let metrics: Set<Role> = [.admin, .operator]

    static func require(_ principal: Principal, _ roles: Set<Role>, to action: String) throws {
        guard roles.contains(principal.role) else {
            let allowed = Role.allCases.filter(roles.contains).map(\.rawValue).joined(separator: ", ")
            throw APIError.forbidden("A '\(principal.role.rawValue)' key may not \(action); this needs one of: \(allowed).")
        }
    }
}

import Foundation
