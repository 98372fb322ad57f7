import CLinux
import Foundation
import Synchronization

/// A listening socket shared by all loops. Each loop waits on it with EPOLLEXCLUSIVE so one
/// wakes per connection; accepted sockets are dealt round-robin across the loops.
public final class Listener: @unchecked Sendable {
    public let address: SocketAddress
    let fd: Int32
    let core: ServerCore
    private let context: (any Sendable)?
    /// Connections accepted here speak TLS from their first byte.
    private let tls: TLSServerContext?
    private var acceptors: [Acceptor] = []
    private let closed = Atomic<Bool>(false)

    init(address requested: SocketAddress, core: ServerCore, context: (any Sendable)?,
         tls: TLSServerContext? = nil) throws(SystemError) {
        let (fd, bound) = try Sockets.listen(requested)
        self.fd = fd
        self.address = bound
        self.core = core
        self.context = context
        self.tls = tls
        let ready = DispatchGroup()
        let failure = Mutex<SystemError?>(nil)
        for loop in core.group.loops {
            let acceptor = Acceptor(listener: self, loop: loop)
            acceptors.append(acceptor)
            ready.enter()
            loop.execute {
                do throws(SystemError) {
                    acceptor.token = try loop.register(acceptor, fd: fd,
                                                       events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
                } catch {
                    failure.withLock { $0 = error }
                }
                ready.leave()
            }
        }
        ready.wait()
        if let error = failure.withLock({ $0 }) {
            close()
            throw error
        }
    }

    /// Stops accepting; established connections are not affected.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let done = DispatchGroup()
        for acceptor in acceptors {
            done.enter()
            acceptor.loop.execute {
                if acceptor.token != 0 { acceptor.loop.deregister(fd: self.fd, token: acceptor.token) }
                done.leave()
            }
        }
        done.wait()
        Glibc.close(fd)
        if case .unix(let path) = address { unlink(path) }
    }

    fileprivate func accepted(_ fd: Int32, storage: sockaddr_storage, on loop: EventLoop) {
        core.statistics.connectionsAccepted.add(1, ordering: .relaxed)
        guard core.openConnections < core.configuration.maxConnections else {
            Glibc.close(fd)
            return
        }
        let remote: String
        if case .tcp = address {
            _ = clinux_set_int_option(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            remote = Sockets.describe(storage)
        } else {
            remote = "unix"
        }
        let target = core.group.next()
        let core = self.core, context = self.context, tls = self.tls
        if target === loop {
            core.adopt(fd: fd, on: loop, remoteAddress: remote, context: context, tls: tls)
        } else {
            target.execute { core.adopt(fd: fd, on: target, remoteAddress: remote, context: context, tls: tls) }
        }
    }
}

/// The listener as one loop sees it.
private final class Acceptor: EventHandler, @unchecked Sendable { // loop-confined
    unowned let listener: Listener
    let loop: EventLoop
    var token: UInt64 = 0
    var paused = false

    init(listener: Listener, loop: EventLoop) {
        self.listener = listener
        self.loop = loop
    }

    func handleEvent(_ flags: UInt32) {
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(0)
            let fd = clinux_accept(listener.fd, &storage, &length)
            if fd >= 0 {
                listener.accepted(fd, storage: storage, on: loop)
                continue
            }
            switch errno {
            case EAGAIN, EWOULDBLOCK: return
            case EINTR, ECONNABORTED, EPROTO: continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors: stop polling the listener briefly instead of spinning.
                listener.core.statistics.acceptErrors.add(1, ordering: .relaxed)
                paused = true
                loop.modify(fd: listener.fd, token: token, events: 0)
                loop.scheduleTimer(token: token, at: loop.now + 100_000_000)
                return
            default:
                listener.core.statistics.acceptErrors.add(1, ordering: .relaxed)
                return
            }
        }
    }

    func timerFired(scheduledFor deadline: UInt64, now: UInt64) {
        guard paused else { return }
        paused = false
        loop.modify(fd: listener.fd, token: token, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
    }
}
