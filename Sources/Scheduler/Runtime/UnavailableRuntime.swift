/// Stands in for Docker when it cannot be reached at start-up: every start fails with `reason`,
/// so runs fail with a clear error instead of waiting in the queue for ever.
public struct UnavailableRuntime: ContainerRuntime {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    let reason: String

    public init(reason: String) { self.reason = reason }

    public func start(_ request: SessionContainer) async throws -> RunningContainer { throw Unavailable(description: reason) }
    public func stop(_ containerID: String) async throws {}
    public func labelledContainers(instance: String) async throws -> [String: String] { [:] }
}
