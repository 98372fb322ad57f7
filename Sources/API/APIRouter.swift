import HTTP
import Logging
import Store

/// Every route Warden serves, in one place, so the OpenAPI test can compare the two.
public enum APIRouter {
    public static func make(database: Database, logger: Logger) -> Router {
        var router = Router(logger: logger)
        HealthRoutes.register(on: &router, database: database)
        return router
    }
}
