import Synchronization

/// Where each part of warden says what it counts. Sources are read when `/metrics` is scraped,
/// so counters stay where they are kept (atomics on the loops, the store's recorder) and cost
/// nothing between scrapes.
public final class MetricsRegistry: Sendable {
    public typealias Source = @Sendable () -> [MetricFamily]
    private let sources = Mutex<[Source]>([])

    public init() {}

    public func register(_ source: @escaping Source) {
        sources.withLock { $0.append(source) }
    }

    /// Every family, sorted by name so scrapes are stable.
    public func collect() -> [MetricFamily] {
        let current = sources.withLock { $0 }
        return current.flatMap { $0() }.sorted { $0.name < $1.name }
    }

    /// The Prometheus text exposition format, version 0.0.4.
    public func render() -> String {
        PrometheusText.render(collect())
    }
}
