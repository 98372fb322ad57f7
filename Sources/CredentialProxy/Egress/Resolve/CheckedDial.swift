import HTTP

/// Why none of the checked addresses gave an answer.
struct DialFailure: Error {
    let reason: String
}

extension HTTPClient {
    /// Sends `request` to the addresses the SSRF guard checked, in order, moving on only when one
    /// cannot be connected to (nothing was sent); the host name is never looked up again. Over
    /// TLS the certificate is verified for `serverName`, the host the caller named, not the address.
    func stream(_ request: ClientRequest, toChecked addresses: [DialAddress], secure: Bool, serverName: String,
                idleTimeout: Duration) async throws(DialFailure) -> (ResponseHead, ClientBodyStream) {
        var lastReason = "no address to dial"
        for address in addresses {
            let destination: ClientDestination = secure
                ? .tls(address.socketAddress, serverName: serverName) : .plain(address.socketAddress)
            do {
                return try await stream(request, to: destination, idleTimeout: idleTimeout)
            } catch {
                lastReason = "\(address): \(error.description)"
                if case .connect = error { continue }
                break
            }
        }
        throw DialFailure(reason: lastReason)
    }
}
