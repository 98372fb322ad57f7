import Core
import HTTP

extension ServerStatistics {
    /// The HTTP server's counters, labelled with which server they belong to (`api`, or
    /// `sessions` for the agent and proxy sockets).
    public func families(server: String) -> [MetricFamily] {
        let label = [("server", server)]
        func counter(_ name: String, _ help: String, _ value: Int) -> MetricFamily {
            MetricFamily("warden_http_\(name)", .counter, help: help, samples: [MetricFamily.Sample(value, labels: label)])
        }
        return [
            counter("connections_accepted_total", "Connections accepted.", connectionsAccepted.load(ordering: .relaxed)),
            MetricFamily("warden_http_connections_open", .gauge, help: "Connections open now.",
                         samples: [MetricFamily.Sample(connectionsOpen.load(ordering: .relaxed), labels: label)]),
            counter("requests_total", "Requests handed to a handler.", requests.load(ordering: .relaxed)),
            counter("parse_errors_total", "Requests refused as malformed or over a limit.", parseErrors.load(ordering: .relaxed)),
            counter("timeouts_total", "Requests that did not arrive in time (408).", timeouts.load(ordering: .relaxed)),
            counter("accept_errors_total", "Failed accept() calls.", acceptErrors.load(ordering: .relaxed)),
            counter("tunnels_total", "CONNECT tunnels started.", tunnels.load(ordering: .relaxed)),
            counter("intercepted_total", "CONNECTs whose TLS warden terminated to see the requests inside.",
                    intercepted.load(ordering: .relaxed)),
            counter("tls_handshake_failures_total", "TLS handshakes that failed or timed out.",
                    tlsHandshakeFailures.load(ordering: .relaxed)),
        ]
    }
}
