import CLinux
import Foundation
import Synchronization

/// The other end of a CONNECT tunnel, handed to the server in `Response.Body.tunnel`: a
/// connected, non-blocking socket. From the moment the response is returned the server owns
/// the descriptor: it closes it when the tunnel ends, or at once when the tunnel cannot start
/// (the client left, the server is draining, the response is not a 2xx to a CONNECT).
/// `onClose` runs once, on the event loop, with the bytes moved each way.
public final class TunnelUpstream: Sendable {
    private let descriptor: Int32
    private let owned = Atomic<Bool>(true)
    private let onClose: (@Sendable (TunnelTotals) -> Void)?

    public init(fd: Int32, onClose: (@Sendable (TunnelTotals) -> Void)? = nil) {
        descriptor = fd
        self.onClose = onClose
    }

    /// The descriptor, once; nil after it was taken or discarded.
    func take() -> Int32? {
        owned.exchange(false, ordering: .acquiringAndReleasing) ? descriptor : nil
    }

    /// Closes the descriptor without tunnelling anything.
    func discard() {
        guard let fd = take() else { return }
        Glibc.close(fd)
        onClose?(TunnelTotals(opened: false))
    }

    func finished(_ totals: TunnelTotals) { onClose?(totals) }

    deinit { if let fd = take() { Glibc.close(fd) } }
}

public struct TunnelTotals: Sendable, Equatable {
    /// False when the tunnel never started (the client left first, the server was draining,
    /// the response was not a 2xx to a CONNECT): the upstream socket was closed unused.
    public var opened = true
    /// Bytes read from the client (including any it pipelined after the CONNECT head).
    public var fromClient = 0
    /// Bytes read from the upstream.
    public var fromUpstream = 0
    public init(opened: Bool = true, fromClient: Int = 0, fromUpstream: Int = 0) {
        self.opened = opened
        self.fromClient = fromClient
        self.fromUpstream = fromUpstream
    }
}

/// A byte tunnel between a server connection's client socket and an upstream socket, on the
/// connection's loop. Each direction reads (edge-triggered, until EAGAIN) into the loop's
/// scratch buffer and writes straight on; what the other side does not take is kept, and the
/// direction stops reading while more than `outputHighWater` is kept (back-pressure). A
/// side's EOF becomes `shutdown(SHUT_WR)` on the other once its bytes are out; the tunnel
/// ends when both directions have ended, on any error, after `tunnelIdleTimeout` without
/// traffic, or when a side stops accepting bytes for `writeTimeout`.
final class Tunnel: EventHandler {
    struct Direction {
        let from: Int32
        let to: Int32
        var buffer: [UInt8]
        var sent = 0
        var canRead = true
        /// `from` reached EOF.
        var ended = false
        /// `to`'s write side is shut: this direction is over.
        var shut = false
        var read = 0
        var written = 0
        var unsent: Int { buffer.count - sent }
    }

    private unowned let connection: ServerConnection
    private let upstream: TunnelUpstream
    private let upstreamFD: Int32
    private var upstreamToken: UInt64 = 0
    private var toUpstream: Direction
    private var toClient: Direction
    private var closed = false
    private var clientHungUp = false
    private var upstreamHungUp = false
    private var lastActivity: UInt64
    private var lastWrite: UInt64

    /// `toClient` is what the client has still to receive (the rest of the 2xx head);
    /// `fromClient` what it sent after the CONNECT head.
    init(connection: ServerConnection, upstream: TunnelUpstream, upstreamFD: Int32, toClient: [UInt8], fromClient: [UInt8]) {
        self.connection = connection
        self.upstream = upstream
        self.upstreamFD = upstreamFD
        self.toUpstream = Direction(from: connection.fd, to: upstreamFD, buffer: fromClient, read: fromClient.count)
        self.toClient = Direction(from: upstreamFD, to: connection.fd, buffer: toClient)
        lastActivity = connection.loop.now
        lastWrite = connection.loop.now
    }

    func start() throws(SystemError) {
        let events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        upstreamToken = try connection.loop.register(self, fd: upstreamFD, events: events)
        pump()
    }

    var totals: TunnelTotals {
        // The head bytes queued for the client are not upstream bytes.
        TunnelTotals(fromClient: toUpstream.read, fromUpstream: toClient.read)
    }

    // MARK: events

    func clientEvent(_ flags: UInt32) {
        guard accept(flags) else { return }
        if flags & EPOLLHUP.rawValue != 0 { clientHungUp = true }
        if Self.readable(flags) { toUpstream.canRead = true }
        pump()
    }

    /// The upstream socket's events.
    func handleEvent(_ flags: UInt32) {
        guard accept(flags) else { return }
        if flags & EPOLLHUP.rawValue != 0 { upstreamHungUp = true }
        if Self.readable(flags) { toClient.canRead = true }
        pump()
    }

    /// An error (a reset) ends the tunnel at once. A hang-up means the socket can neither
    /// send nor receive any more: what it still has is read and passed on, then the tunnel ends.
    private func accept(_ flags: UInt32) -> Bool {
        guard !closed else { return false }
        if flags & EPOLLERR.rawValue != 0 {
            connection.abort()
            return false
        }
        return true
    }

    private static func readable(_ flags: UInt32) -> Bool {
        flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0
    }

    func timerFired(scheduledFor deadline: UInt64, now: UInt64) {} // the connection's timer serves both

    // MARK: moving bytes

    private func pump() {
        guard !closed else { return }
        let hadPending = toUpstream.unsent + toClient.unsent > 0
        let before = (toUpstream.read + toClient.read, toUpstream.written + toClient.written)
        let loop = connection.loop
        let highWater = connection.config.outputHighWater
        guard Self.pump(&toUpstream, scratch: loop.scratch, highWater: highWater),
              Self.pump(&toClient, scratch: loop.scratch, highWater: highWater) else {
            connection.abort()
            return
        }
        if (toUpstream.shut && toClient.shut) || (clientHungUp && toUpstream.shut) || (upstreamHungUp && toClient.shut) {
            connection.close()
            return
        }
        let after = (toUpstream.read + toClient.read, toUpstream.written + toClient.written)
        if after != before { lastActivity = loop.now }
        if after.1 != before.1 || !hadPending { lastWrite = loop.now }
        connection.updateDeadline()
    }

    /// Moves what `d.from` has to `d.to` until one would block; false on a socket error.
    private static func pump(_ d: inout Direction, scratch: UnsafeMutablePointer<UInt8>, highWater: Int) -> Bool {
        if d.unsent > 0, !flush(&d) { return false }
        while d.canRead && !d.ended && d.unsent < highWater {
            let n = recv(d.from, scratch, EventLoop.scratchSize, 0)
            if n > 0 {
                d.read += n
                var offset = 0
                if d.unsent == 0 {
                    while offset < n {
                        let w = send(d.to, scratch + offset, n - offset, Int32(MSG_NOSIGNAL))
                        if w > 0 {
                            offset += w
                            d.written += w
                        } else if w < 0 && errno == EINTR {
                            continue
                        } else if w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                            break
                        } else {
                            return false
                        }
                    }
                }
                if offset < n {
                    d.buffer.append(contentsOf: UnsafeBufferPointer(start: scratch + offset, count: n - offset))
                    if !flush(&d) { return false }
                }
            } else if n == 0 {
                d.ended = true
                d.canRead = false
            } else {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: d.canRead = false
                default: return false
                }
            }
        }
        if d.ended && d.unsent == 0 && !d.shut {
            shutdown(d.to, Int32(SHUT_WR))
            d.shut = true
        }
        return true
    }

    private static func flush(_ d: inout Direction) -> Bool {
        let before = d.sent
        if case .failed = Sockets.send(d.to, d.buffer, sent: &d.sent) { return false }
        d.written += d.sent - before
        if d.sent == d.buffer.count {
            d.sent = 0
            d.buffer.removeAll(keepingCapacity: d.buffer.capacity <= 64 * 1024)
        } else if d.sent >= 64 * 1024 {
            d.buffer.removeFirst(d.sent)
            d.sent = 0
        }
        return true
    }

    // MARK: timers and closing

    /// When the tunnel is to be closed unless something moves: idle, or a side not reading.
    var deadline: UInt64 {
        let config = connection.config
        var d = lastActivity + config.tunnelIdleTimeout.nanoseconds
        if toUpstream.unsent + toClient.unsent > 0 { d = min(d, lastWrite + config.writeTimeout.nanoseconds) }
        return d
    }

    /// Closes the upstream side; the connection closes the client's. Idempotent.
    func close() {
        guard !closed else { return }
        closed = true
        if upstreamToken != 0 { connection.loop.deregister(fd: upstreamFD, token: upstreamToken) }
        Glibc.close(upstreamFD)
        toUpstream.buffer = []
        toClient.buffer = []
        upstream.finished(totals)
    }
}
