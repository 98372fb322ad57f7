import Core
import Foundation
import HTTP
import Synchronization

/// The per-session `agent.sock` and `proxy.sock`, served by one HTTP server whose listeners
/// carry a `SessionSocketIdentity`: the socket a request arrives on is the only identity an
/// agent has.
final class SessionSockets: Sendable {
    private let server: HTTPServer
    private let open = Mutex<[String: [Listener]]>([:])

    init(server: HTTPServer) { self.server = server }

    /// Listens on both sockets of `session` unless it already does.
    func ensureListening(_ session: String, in directories: SessionDirectories) throws {
        if open.withLock({ $0[session] != nil }) { return }
        var listeners: [Listener] = []
        do {
            for (path, kind) in [(directories.agentSocket, SessionSocketIdentity.Kind.agent),
                                 (directories.proxySocket, .proxy)] {
                let listener = try server.listen(.unix(path: path), context: SessionSocketIdentity(sessionID: session, kind: kind))
                listeners.append(listener)
                // The container's user is not warden's: it needs write permission to connect.
                chmod(path, 0o666)
            }
        } catch {
            for listener in listeners { listener.close() }
            throw error
        }
        // Two callers may race to open the same session's sockets; the second one's are redundant.
        let redundant = open.withLock { table -> [Listener] in
            if table[session] != nil { return listeners }
            table[session] = listeners
            return []
        }
        for listener in redundant { listener.close() }
    }

    func close(_ session: String) {
        let listeners = open.withLock { $0.removeValue(forKey: session) } ?? []
        for listener in listeners { listener.close() }
    }

    func closeAll() {
        let all = open.withLock { table -> [[Listener]] in defer { table.removeAll() }; return Array(table.values) }
        for listener in all.joined() { listener.close() }
    }
}
