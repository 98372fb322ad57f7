import Foundation

/// A value guarded by a lock. The store's shared state is tiny, so a plain mutex is enough.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Hands a non-Sendable value to the one thread that will own it from then on.
struct Handoff<Value>: @unchecked Sendable {
    let value: Value
}
