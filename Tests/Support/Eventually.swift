/// Polls `condition` until it holds; throws after `seconds`. For state that changes
/// asynchronously; never used to measure time.
public func eventually(within seconds: Double = 5, _ what: String,
                       _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    // A safety net, not a measure: a loaded CI machine (every suite in one process, two cores)
    // can take many seconds for what takes milliseconds here, so no budget is under 30 s.
    let deadline = ContinuousClock.now + .milliseconds(Int(max(seconds, 30) * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TestFailure("\(what): not true within \(max(seconds, 30)) s")
}

/// A test's own failure, with what was expected.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
