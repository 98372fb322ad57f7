import HTTP

/// What serves a session's proxy.sock: origin-form requests (`POST /model/…`) go to the model
/// route; absolute-form `http://…` requests, CONNECT and TRACE go to the forward proxy.
public struct ProxySocketHandler: HTTPHandler {
    let modelRoute: any HTTPHandler
    let forwardProxy: ForwardProxy

    public init(modelRoute: ModelRoute, forwardProxy: ForwardProxy) {
        self.modelRoute = modelRoute
        self.forwardProxy = forwardProxy
    }

    public func handle(_ request: Request) -> HandlerResult {
        if case .origin = request.target, request.method != "TRACE", request.method != "CONNECT" {
            return modelRoute.handle(request)
        }
        return forwardProxy.handle(request)
    }
}
