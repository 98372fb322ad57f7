import HTTP
import Store

/// `GET /healthz` says the process serves HTTP; `GET /readyz` says it can do its work
/// (the database answers). Both are unauthenticated (SPEC §3).
public enum HealthRoutes {
    public static func register(on router: inout Router, database: Database) {
        router.get("/healthz", .inline { _ in Response.text("ok") })
        router.get("/readyz", .async { _ in
            do {
                try await database.ping()
            } catch {
                throw HTTPError(.serviceUnavailable, code: "not_ready",
                                message: "The database is not answering: \(error). Check the data directory and disk.",
                                headers: ["Retry-After": "5"])
            }
            return Response.json(Array(#"{"status":"ready","checks":{"database":"ok"}}"#.utf8))
        })
    }
}
