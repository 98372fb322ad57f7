import CLinux
import Foundation
import Logging
import Synchronization

/// State shared by a server's listeners and connections across loops. Each loop's set of
/// connections is touched only on that loop.
final class ServerCore: @unchecked Sendable {
    let configuration: ServerConfiguration
    let handler: any HTTPHandler
    let group: EventLoopGroup
    let logger: Logger
    let statistics = ServerStatistics()
    private let draining = Atomic<Bool>(false)
    private var connectionsByLoop: [[ObjectIdentifier: ServerConnection]]

    init(configuration: ServerConfiguration, handler: any HTTPHandler, group: EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        self.group = group
        self.logger = logger
        connectionsByLoop = Array(repeating: [:], count: group.loops.count)
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }
    var openConnections: Int { statistics.connectionsOpen.load(ordering: .relaxed) }

    /// Takes ownership of an accepted socket; runs on `loop`.
    func adopt(fd: Int32, on loop: EventLoop, remoteAddress: String, context: (any Sendable)?, tls: TLSServerContext?) {
        guard !isDraining else { Glibc.close(fd); return }
        let connection = ServerConnection(fd: fd, loop: loop, server: self, remoteAddress: remoteAddress,
                                          listenerContext: context)
        let events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        do {
            connection.token = try loop.register(connection, fd: fd, events: events)
        } catch {
            logger.error("could not register connection", metadata: ["error": "\(error)"])
            Glibc.close(fd)
            return
        }
        statistics.connectionsOpen.add(1, ordering: .relaxed)
        connectionsByLoop[loop.index][ObjectIdentifier(connection)] = connection
        if let tls {
            // The server's own handler, over TLS from the start: a TLS listener, not a CONNECT.
            connection.startTLS(TLSInterception(context: tls, handler: handler, connectionContext: context), counted: false)
        } else {
            connection.updateDeadline()
        }
    }

    func connectionClosed(_ connection: ServerConnection) {
        statistics.connectionsOpen.subtract(1, ordering: .relaxed)
        connectionsByLoop[connection.loop.index][ObjectIdentifier(connection)] = nil
    }

    func beginDrain() {
        draining.store(true, ordering: .relaxed)
        for loop in group.loops {
            loop.execute { [self] in
                for connection in Array(connectionsByLoop[loop.index].values) { connection.beginDrain() }
            }
        }
    }

    func closeAll() {
        for loop in group.loops {
            loop.execute { [self] in
                for connection in Array(connectionsByLoop[loop.index].values) { connection.close() }
            }
        }
    }

    // MARK: request ids

    /// The client's `X-Request-Id` if it is short and plain; otherwise a fresh `req_…`.
    func requestID(from headers: HTTPHeaders, on loop: EventLoop) -> String {
        if headers.count > 0, let given = headers["X-Request-Id"], (1...128).contains(given.utf8.count),
           given.utf8.allSatisfy(Self.isRequestIDChar) {
            return given
        }
        return makeRequestID(on: loop)
    }

    func makeRequestID(on loop: EventLoop) -> String {
        let a = loop.random.next(), b = loop.random.next()
        // "req_" and 24 base32 characters (0-9a-v), 5 bits each, 120 random bits in all; written
        // straight into the string's storage, one allocation per request.
        return String(unsafeUninitializedCapacity: 28) { out in
            func digit(_ v: UInt64) -> UInt8 { v < 10 ? UInt8(48 + v) : UInt8(87 + v) }
            out[0] = UInt8(ascii: "r"); out[1] = UInt8(ascii: "e"); out[2] = UInt8(ascii: "q"); out[3] = UInt8(ascii: "_")
            var x = a
            for i in 4..<16 { out[i] = digit(x & 31); x >>= 5 }
            x = b
            for i in 16..<28 { out[i] = digit(x & 31); x >>= 5 }
            return 28
        }
    }

    private static func isRequestIDChar(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
             UInt8(ascii: ":"):
            return true
        default: return false
        }
    }
}
