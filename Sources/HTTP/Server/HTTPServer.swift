import Foundation
import Logging
import Synchronization

/// An HTTP/1.1 server on a group of event loops. It can listen on several TCP and unix
/// addresses at once, each with an optional context value that reaches every request
/// accepted there (the scheduler uses this to tell per-session sockets apart).
public final class HTTPServer: Sendable {
    let core: ServerCore
    private let listeners = Mutex<[Listener]>([])

    public init(group: EventLoopGroup, configuration: ServerConfiguration = .init(), handler: any HTTPHandler,
                logger: Logger = Logger(label: "warden.http")) {
        core = ServerCore(configuration: configuration, handler: handler, group: group, logger: logger)
    }

    public var statistics: ServerStatistics { core.statistics }
    public var configuration: ServerConfiguration { core.configuration }

    /// Starts accepting on `address`; the returned listener knows the bound port (for port 0).
    @discardableResult
    /// With `tls`, every connection accepted on this listener is TLS from its first byte.
    public func listen(_ address: SocketAddress, context: (any Sendable)? = nil,
                       tls: TLSServerContext? = nil) throws(SystemError) -> Listener {
        let listener = try Listener(address: address, core: core, context: context, tls: tls)
        listeners.withLock { $0.append(listener) }
        return listener
    }

    /// Graceful shutdown: stop accepting, close idle connections, let in-flight requests finish
    /// (their responses carry `Connection: close`), end streams, and after `grace` drop the rest.
    public func shutdown(grace: Duration = .seconds(30)) async {
        let all = listeners.withLock { l -> [Listener] in let copy = l; l.removeAll(); return copy }
        for listener in all { listener.close() }
        core.beginDrain()
        let deadline = ContinuousClock.now + grace
        while core.openConnections > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if core.openConnections > 0 {
            core.logger.warning("closing connections still open after the grace period",
                                metadata: ["count": "\(core.openConnections)"])
            core.closeAll()
            while core.openConnections > 0 { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }
}
