@testable import Core
import Testing

@Suite("Metrics: Prometheus text format")
struct MetricsTests {
    @Test func familiesRenderWithHelpTypeAndEscapedLabels() {
        let registry = MetricsRegistry()
        registry.register {
            [MetricFamily("warden_z_total", .counter, help: "Last.", value: 3),
             MetricFamily("warden_a", .gauge, help: "A help\\text\nwith a newline.",
                          samples: [MetricFamily.Sample(1.5, labels: [("path", "say \"hi\"\\\n"), ("k", "v")])])]
        }
        #expect(registry.render() == """
            # HELP warden_a A help\\\\text\\nwith a newline.
            # TYPE warden_a gauge
            warden_a{path="say \\"hi\\"\\\\\\n",k="v"} 1.5
            # HELP warden_z_total Last.
            # TYPE warden_z_total counter
            warden_z_total 3

            """)
    }

    @Test func theCoreCountsItsStoreWrites() async throws {
        let families = try await withCore { core in
            _ = try await core.write { tx in try tx.createSession(SessionInput(title: "m"), owner: "key_test") }
            return core.metrics.collect()
        }
        let writes = families.first { $0.name == "warden_store_writes_total" }
        #expect((writes?.samples.first?.value ?? 0) >= 1)
        #expect(families.contains { $0.name == "warden_approval_waiters" && $0.kind == .gauge })
        let walPages = families.first { $0.name == "warden_store_wal_pages" }
        #expect(walPages?.kind == .gauge)
        #expect((walPages?.samples.first?.value ?? 0) >= 1, "the session's commit left pages in the WAL")
        #expect(families.contains { $0.name == "warden_store_checkpoints_total" && $0.kind == .counter })
        let syncs = families.first { $0.name == "warden_store_wal_syncs_total" }
        #expect(syncs?.kind == .counter)
        #expect((syncs?.samples.first?.value ?? 0) >= 1, "the session's commit was synced (full is the default)")
    }

    @Test func specialValuesUsePrometheusSpelling() {
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(42) == "42")
        #expect(PrometheusText.format(0.25) == "0.25")
    }
}
