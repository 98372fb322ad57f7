import Core
import HTTP

/// `GET /metrics` (SPEC §7): every registered counter in Prometheus' text format. It needs an
/// admin or operator key (Prometheus sends it with `authorization: {credentials: …}`).
enum MetricsRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.get("/metrics", ctx.route(Access.metrics, "read the metrics") { _, _ in
            var response = Response(status: .ok, bytes: Array(ctx.core.metrics.render().utf8))
            response.headers.add("Content-Type", PrometheusText.contentType)
            return response
        })
    }
}
