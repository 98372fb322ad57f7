import CLinux
import Foundation

enum Clock {
    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (s, atto) = components
        return UInt64(max(0, s)) * 1_000_000_000 + UInt64(max(0, atto) / 1_000_000_000)
    }
}

public enum System {
    public static var coreCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}

/// The `Date` header value, formatted once per second per loop.
final class DateHeaderCache {
    private var second = -1
    private(set) var value: [UInt8] = []

    func current() -> [UInt8] {
        var t = time(nil)
        if Int(t) != second {
            second = Int(t)
            var tmv = tm()
            gmtime_r(&t, &tmv)
            var buf = [CChar](repeating: 0, count: 64)
            let n = strftime(&buf, 64, "%a, %d %b %Y %H:%M:%S GMT", &tmv)
            value = buf[0..<n].map { UInt8(bitPattern: $0) }
        }
        return value
    }
}

/// xorshift128+ seeded from the system generator: request ids need uniqueness, not secrecy,
/// and a syscall per request would show in the profile.
struct FastRandom {
    private var s0: UInt64
    private var s1: UInt64
    init() {
        var g = SystemRandomNumberGenerator()
        s0 = g.next() | 1
        s1 = g.next()
    }
    mutating func next() -> UInt64 {
        var x = s0
        let y = s1
        s0 = y
        x ^= x << 23
        s1 = x ^ y ^ (x >> 17) ^ (y >> 26)
        return s1 &+ y
    }
}
