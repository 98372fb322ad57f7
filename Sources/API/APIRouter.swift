import Core
import Channels
import CredentialProxy
import HTTP
import Logging
import Store

/// Every route Warden serves, in one place, so the OpenAPI test can compare the two.
public enum APIRouter {
    /// Without `credentials` (a vault), the credential routes and webhook creation answer 503.
    /// `channelKeyClient` fetches Teams' and Google Chat's signing keys; without it their
    /// deliveries are refused.
    public static func make(core: WardenCore, credentials: CredentialStore? = nil, configuration: APIConfiguration = .init(),
                            channelKeyClient: HTTPClient? = nil, logger: Logger) -> Router {
        var router = Router(logger: logger)
        let endpoints = ChannelEndpointCache(core: core, credentials: credentials,
                                             keySets: KeySetRegistry(client: channelKeyClient), logger: logger)
        let context = APIContext(core: core, auth: Authenticator(core: core), configuration: configuration,
                                 credentials: credentials, channelEndpoints: endpoints)
        HealthRoutes.register(on: &router, database: core.database)
        SessionRoutes.register(on: &router, context)
        MessageRoutes.register(on: &router, context)
        RunRoutes.register(on: &router, context)
        ApprovalRoutes.register(on: &router, context)
        EventRoutes.register(on: &router, context)
        KeyRoutes.register(on: &router, context)
        AuditRoutes.register(on: &router, context)
        TaskRoutes.register(on: &router, context)
        CredentialRoutes.register(on: &router, context)
        RuleRoutes.register(on: &router, context)
        WebhookRoutes.register(on: &router, context)
        ChannelRoutes.register(on: &router, context)
        ChannelWebhookRoutes.register(on: &router, context)
        MetricsRoutes.register(on: &router, context)
        return router
    }
}
