import CLinux
import Foundation
import Synchronization

/// Copies bytes both ways between two connected sockets until both directions have ended.
/// An end of input in one direction becomes a half-close (shutdown for writing) on the other
/// socket, so request-then-response protocols and tunnels both see exactly what was sent.
final class Splice: Sendable {
    private let a: Int32
    private let b: Int32
    private let directionsLeft = Atomic(2)

    private init(_ a: Int32, _ b: Int32) {
        self.a = a
        self.b = b
    }

    static func start(_ a: Int32, _ b: Int32) {
        let splice = Splice(a, b)
        for (from, to) in [(a, b), (b, a)] {
            let thread = Thread { splice.pump(from: from, to: to) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func pump(from source: Int32, to sink: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var failed = false
        copying: while true {
            let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                failed = true
                break
            }
            var sent = 0
            while sent < n {
                let m = buffer.withUnsafeBytes { send(sink, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
                if m < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    break copying
                }
                sent += m
            }
        }
        if failed {
            // A reset on either side ends both directions: wake the other pump too.
            shutdown(source, Int32(SHUT_RDWR))
            shutdown(sink, Int32(SHUT_RDWR))
        } else {
            shutdown(sink, Int32(SHUT_WR))
        }
        if directionsLeft.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            close(a)
            close(b)
        }
    }
}
