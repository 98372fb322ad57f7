import Core
import Synchronization

/// The proxy's counters for `/metrics`, fed by the audit of every proxied request (one audit
/// row, one count), so the two never disagree.
public final class ProxyMetrics: Sendable {
    struct Key: Hashable {
        let route: ProxyRoute
        let status: Int
        let outcome: String
    }

    struct Totals {
        var requests: [Key: Int] = [:]
        var bytesToAgent = 0
        var bytesFromAgent = 0
        var credentialsInjected = 0
        var held = 0
    }

    private let totals = Mutex(Totals())

    init() {}

    func count(_ entry: ProxyAuditEntry) {
        totals.withLock { t in
            t.requests[Key(route: entry.route, status: entry.status, outcome: entry.error ?? "relayed"), default: 0] += 1
            t.bytesToAgent += entry.bytes
            t.bytesFromAgent += entry.bytesSent ?? entry.requestBytes
            if entry.credential != nil { t.credentialsInjected += 1 }
            if entry.approval != nil { t.held += 1 }
        }
    }

    public var families: [MetricFamily] {
        let t = totals.withLock { $0 }
        let requests = t.requests.sorted { ($0.key.route.rawValue, $0.key.status, $0.key.outcome)
            < ($1.key.route.rawValue, $1.key.status, $1.key.outcome) }
        return [
            MetricFamily("warden_proxy_requests_total", .counter,
                         help: "Requests through the credential proxy (one per audit row), by route, status and outcome.",
                         samples: requests.map { key, count in
                             MetricFamily.Sample(count, labels: [("route", key.route.rawValue), ("status", String(key.status)),
                                                                 ("outcome", key.outcome)])
                         }),
            MetricFamily("warden_proxy_bytes_total", .counter, help: "Body bytes relayed by the credential proxy.",
                         samples: [MetricFamily.Sample(t.bytesToAgent, labels: [("direction", "to_agent")]),
                                   MetricFamily.Sample(t.bytesFromAgent, labels: [("direction", "from_agent")])]),
            MetricFamily("warden_proxy_credentials_injected_total", .counter,
                         help: "Proxied requests a credential was injected into.", value: t.credentialsInjected),
            MetricFamily("warden_proxy_held_for_approval_total", .counter,
                         help: "Proxied requests held for a person's approval (whatever the outcome).", value: t.held),
        ]
    }
}

/// Which part of the proxy answered.
enum ProxyRoute: String, Sendable {
    /// `POST /model/{provider}/…`
    case model
    /// Absolute-form `http://…`
    case forward
    /// CONNECT passed through unseen.
    case tunnel
    /// A request inside an intercepted CONNECT.
    case intercepted
    /// Warden's own call to a platform API (a chat reply, an approval card).
    case warden
}
