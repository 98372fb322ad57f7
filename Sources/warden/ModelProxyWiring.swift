import Core
import Foundation
import HTTP
import Logging

/// The handler of every session's proxy.sock. (Placeholder until the credential proxy lands.)
enum ModelProxyWiring {
    static func handler(core: WardenCore, dataDirectory: URL, group: EventLoopGroup, logger: Logger) throws -> any HTTPHandler {
        ClosureProxy()
    }
}

private struct ClosureProxy: HTTPHandler {
    func handle(_ request: Request) -> HandlerResult {
        .response(ErrorEnvelope.response(for: HTTPError(.serviceUnavailable, code: "proxy_unavailable",
                                                        message: "The credential proxy is not configured."),
                                         requestID: request.requestID))
    }
}
