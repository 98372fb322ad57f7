import CLinux
import Foundation
import Synchronization

/// An HTTP/1.1 client on the server's event loops: TCP or unix sockets, plain or TLS, pooled
/// keep-alive connections, buffered or streamed response bodies.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Longest wait for any progress (connect, handshake, send, each read). nil waits forever,
        /// e.g. for an event stream that may stay quiet.
        public var idleTimeout: Duration? = .seconds(30)
        public var maxBodyBytes = 64 * 1024 * 1024
        public var maxIdleConnectionsPerDestination = 16
        /// What TLS destinations must prove; verification cannot be turned off.
        public var tls = TLSConfiguration()
        public init() {}
    }

    private let group: EventLoopGroup
    private let pool: ConnectionPool
    public let configuration: Configuration
    /// Built on first use, so a client that never speaks TLS never reads a trust store.
    private let tlsContext = Mutex<TLSContext?>(nil)

    public init(group: EventLoopGroup, configuration: Configuration = .init()) {
        self.group = group
        self.configuration = configuration
        pool = ConnectionPool(maxIdlePerDestination: configuration.maxIdleConnectionsPerDestination)
    }

    /// Sends `request` in plain HTTP and returns the whole response.
    public func execute(_ request: ClientRequest, to address: SocketAddress,
                        idleTimeout: Duration?? = nil) async throws(HTTPClientError) -> ClientResponse {
        try await execute(request, to: .plain(address), idleTimeout: idleTimeout)
    }

    /// Sends `request` in plain HTTP and returns once the response head has arrived.
    public func stream(_ request: ClientRequest, to address: SocketAddress,
                       idleTimeout: Duration?? = nil) async throws(HTTPClientError) -> (ResponseHead, ClientBodyStream) {
        try await stream(request, to: .plain(address), idleTimeout: idleTimeout)
    }

    /// Sends `request` and returns the whole response.
    public func execute(_ request: ClientRequest, to destination: ClientDestination,
                        idleTimeout: Duration?? = nil) async throws(HTTPClientError) -> ClientResponse {
        let timeout = idleTimeout ?? configuration.idleTimeout
        return try await withRetryOnStaleConnection(request, to: destination) { connection, host in
            try await withCheckedThrowingContinuation { continuation in
                connection.loop.execute {
                    connection.start(request, host: host, delivery: .buffered(continuation), idleTimeout: timeout)
                }
            }
        }
    }

    /// Sends `request` and returns once the response head has arrived; the body follows as a stream.
    public func stream(_ request: ClientRequest, to destination: ClientDestination,
                       idleTimeout: Duration?? = nil) async throws(HTTPClientError) -> (ResponseHead, ClientBodyStream) {
        let timeout = idleTimeout ?? configuration.idleTimeout
        return try await withRetryOnStaleConnection(request, to: destination) { connection, host in
            try await withCheckedThrowingContinuation { continuation in
                connection.loop.execute {
                    connection.start(request, host: host, delivery: .streaming(continuation), idleTimeout: timeout)
                }
            }
        }
    }

    /// Loads the trust settings now, so a bad CA file shows at start-up rather than on the
    /// first HTTPS request.
    public func prepareTLS() throws(HTTPClientError) {
        _ = try sharedTLSContext()
    }

    /// Closes idle pooled connections. In-flight requests are not affected.
    public func shutdown() {
        for connection in pool.drain() {
            connection.loop.execute { connection.close() }
        }
    }

    /// A pooled connection may have been closed by the server while idle. A request that failed
    /// that way without any response is retried once on a fresh connection if repeating it is safe.
    private func withRetryOnStaleConnection<T>(
        _ request: ClientRequest, to destination: ClientDestination,
        _ body: (ClientConnection, String) async throws -> T
    ) async throws(HTTPClientError) -> T {
        do { try destination.checkHostHeader(request.headers) } catch { throw .tls(error) }
        let key = destination.poolKey
        let host = destination.defaultHost
        var attempt = 0
        while true {
            attempt += 1
            let pooled = pool.checkOut(key)
            let connection: ClientConnection
            if let pooled {
                connection = pooled
            } else {
                connection = try await connect(destination, key: key)
            }
            do {
                return try await body(connection, host)
            } catch let error as HTTPClientError {
                let idempotent = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(request.method)
                if pooled != nil, attempt == 1, error.meansStaleConnection, idempotent { continue }
                throw error
            } catch {
                throw .connectionClosed
            }
        }
    }

    /// Starts the connect. A host name is resolved on a thread of its own: getaddrinfo blocks,
    /// for as long as DNS takes, and must hold neither an event loop nor a thread of the
    /// (small) cooperative pool.
    private static func open(_ address: SocketAddress) async throws(HTTPClientError) -> Int32 {
        guard case .tcp(let host, _) = address, !Sockets.isNumeric(host) else {
            do { return try Sockets.connect(address) } catch { throw .connect(error) }
        }
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<Int32, SystemError>, Never>) in
            Thread {
                do throws(SystemError) { c.resume(returning: .success(try Sockets.connect(address))) } catch {
                    c.resume(returning: .failure(error))
                }
            }.start()
        }
        switch result {
        case .success(let fd): return fd
        case .failure(let error): throw .connect(error)
        }
    }

    private func connect(_ destination: ClientDestination, key: String) async throws(HTTPClientError) -> ClientConnection {
        let loop = group.next()
        var tls: TLSChannel?
        if let name = destination.tlsServerName {
            let context = try sharedTLSContext()
            do { tls = try TLSChannel(context: context, serverName: name) } catch { throw .tls(error) }
        }
        let fd = try await Self.open(destination.address)
        let connection = ClientConnection(fd: fd, loop: loop, key: key, pool: pool, tls: tls,
                                          maxBodyBytes: configuration.maxBodyBytes)
        do {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                loop.execute {
                    do throws(SystemError) {
                        let events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
                        connection.token = try loop.register(connection, fd: fd, events: events)
                        c.resume()
                    } catch {
                        Glibc.close(fd)
                        c.resume(throwing: HTTPClientError.connect(error))
                    }
                }
            }
        } catch {
            throw error as? HTTPClientError ?? .connectionClosed
        }
        return connection
    }

    private func sharedTLSContext() throws(HTTPClientError) -> TLSContext {
        let configuration = configuration.tls
        do {
            return try tlsContext.withLock { context throws(TLSError) -> TLSContext in
                if let context { return context }
                let made = try TLSContext(configuration)
                context = made
                return made
            }
        } catch {
            throw .tls(error)
        }
    }
}
