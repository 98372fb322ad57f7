/// How a handler asks the server to terminate TLS on a CONNECT it answers (`Response.Body.intercept`):
/// the certificate to present, and who handles the requests that arrive inside the session.
public struct TLSInterception: Sendable {
    public var context: TLSServerContext
    /// Receives every request decrypted on the connection, instead of the server's handler.
    public var handler: any HTTPHandler
    /// Becomes `Request.listenerContext` of those requests, e.g. the session the CONNECT came from.
    public var connectionContext: (any Sendable)?

    public init(context: TLSServerContext, handler: any HTTPHandler, connectionContext: (any Sendable)?) {
        self.context = context
        self.handler = handler
        self.connectionContext = connectionContext
    }
}
