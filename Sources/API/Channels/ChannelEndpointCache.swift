import Channels
import Core
import CredentialProxy
import Foundation
import HTTP
import Logging
import Synchronization

/// A configured channel ready to take deliveries: its stored settings and its verifier and parser.
struct ResolvedChannel: Sendable {
    let channel: Channel
    let scope: SessionScope
    let endpoint: ChannelEndpoint
}

/// Channels with their verifiers, kept for a few seconds: a delivery then costs no database read
/// and no unsealing, and a changed or deleted channel (or a rotated credential) takes effect
/// within `lifetime`. Only channels that exist are kept, so unknown ids cannot fill it.
final class ChannelEndpointCache: Sendable {
    private struct Entry: Sendable {
        let resolved: ResolvedChannel
        let loadedAt: ContinuousClock.Instant
    }

    private let core: WardenCore
    private let credentials: CredentialStore?
    private let keySets: KeySetRegistry
    private let lifetime: Duration
    private let logger: Logger
    private let entries = Mutex<[String: Entry]>([:])

    init(core: WardenCore, credentials: CredentialStore?, keySets: KeySetRegistry, lifetime: Duration = .seconds(5),
         logger: Logger) {
        self.core = core
        self.credentials = credentials
        self.keySets = keySets
        self.lifetime = lifetime
        self.logger = logger
    }

    func forget(_ id: String) { _ = entries.withLock { $0.removeValue(forKey: id) } }

    /// The channel `id` if it exists and is a `platform` channel; nil otherwise (a 404 either
    /// way, so a probe learns nothing about other platforms' channels). A database that does not
    /// answer, or a channel whose secret cannot be opened, is `ChannelUnavailable` (503).
    func resolve(_ id: String, platform: ChannelPlatform) async throws(ChannelUnavailable) -> ResolvedChannel? {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[id] }), now - entry.loadedAt < lifetime {
            return entry.resolved.endpoint.platform == platform ? entry.resolved : nil
        }
        guard IDGenerator.isValid(id, kind: .channel) else { return nil }
        let channel: Channel?
        do { channel = try await core.channel(id) } catch { throw .store(error) }
        guard let channel, channel.platform == platform.rawValue else { return nil }
        let resolved = try await build(channel)
        entries.withLock { $0[id] = Entry(resolved: resolved, loadedAt: now) }
        return resolved
    }

    private func build(_ channel: Channel) async throws(ChannelUnavailable) -> ResolvedChannel {
        do {
            let settings = try ChannelSettings(platformName: channel.platform, settings: channel.settings,
                                               verificationCredentialID: channel.verificationCredentialID)
            let secret = try await open(channel.verificationCredentialID, "verification_credential_id", channel)
            let verifyToken = try await open(settings.whatsAppVerifyTokenCredentialID, "settings.verify_token_credential_id", channel)
            let endpoint = try ChannelEndpoint(settings: settings, verificationSecret: secret, verifyToken: verifyToken,
                                               keySets: keySets)
            let scope = SessionScope(rawValue: channel.sessionsPolicy.rawValue) ?? .thread
            return ResolvedChannel(channel: channel, scope: scope, endpoint: endpoint)
        } catch let error as ChannelUnavailable {
            throw error
        } catch {
            logger.error("channel cannot verify deliveries", metadata: ["channel": "\(channel.id)", "error": "\(error)"])
            throw .misconfigured(channel.id, "\(error)")
        }
    }

    private func open(_ credentialID: String?, _ param: String, _ channel: Channel) async throws -> String? {
        guard let credentialID else { return nil }
        guard let credentials else { throw ChannelUnavailable.misconfigured(channel.id, "this server has no credential vault") }
        let unsealed: UnsealedCredential?
        do { unsealed = try await credentials.unseal(id: credentialID) } catch { throw ChannelUnavailable.store(error) }
        guard let unsealed else {
            throw ChannelUnavailable.misconfigured(channel.id, "\(param) names credential \(credentialID), which no longer exists")
        }
        return unsealed.secret.revealText()
    }
}

/// Why a delivery cannot be taken now; 503 with `Retry-After`, so the platform delivers again.
enum ChannelUnavailable: HTTPResponseError {
    case store(any Error)
    case misconfigured(String, String)

    var status: HTTPStatus { .serviceUnavailable }

    var code: String {
        switch self {
        case .store: return "store_unavailable"
        case .misconfigured: return "channel_misconfigured"
        }
    }

    var message: String {
        switch self {
        case .store: return "The delivery could not be stored; deliver it again later."
        case .misconfigured(let id, let reason): return "Channel \(id) cannot verify deliveries: \(reason)."
        }
    }

    var headers: HTTPHeaders { ["Retry-After": "1"] }
}
