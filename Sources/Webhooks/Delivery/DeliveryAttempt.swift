import Core
import Foundation
import HTTP
import Store

/// Sends one attempt of a delivery: the stored payload, signed afresh with the webhook's
/// secret (opened from the vault for this attempt only), POSTed with the HTTP module's client.
/// It never throws: whatever goes wrong is an outcome the delivery log records.
struct DeliveryAttempt: Sendable {
    let client: HTTPClient
    let sealer: any SecretSealer
    /// The longest an attempt may take, connect to last byte.
    let timeout: Duration

    func send(_ delivery: WebhookDeliveryRecord, to webhook: WebhookRecord) async -> AttemptOutcome {
        let url: WebhookURL
        do { url = try WebhookURL(parsing: webhook.url) } catch { return .unreachable(reason: "\(error)") }
        let secret: WebhookSigningSecret
        do {
            secret = WebhookSigningSecret(bytes: try sealer.open(nonce: webhook.secretNonce, ciphertext: webhook.secretCiphertext,
                                                                 id: webhook.id, name: webhook.sealName))
        } catch {
            return .unreachable(reason: "the signing secret could not be opened: \(error)")
        }
        let body = Array(delivery.payload.utf8)
        var headers: HTTPHeaders = ["Content-Type": "application/json", "User-Agent": "Warden-Webhooks/1"]
        let signer = StandardWebhookSigner(secret: secret)
        for header in signer.headers(messageID: delivery.id, timestamp: Timestamp.unixSeconds(), body: body) {
            headers.add(header.name, header.value)
        }
        let request = ClientRequest(method: "POST", target: url.target, headers: headers, body: body)
        let destination: ClientDestination = url.isSecure
            ? .tls(.tcp(host: url.host, port: url.port), serverName: url.host)
            : .plain(.tcp(host: url.host, port: url.port))
        let (client, timeout) = (self.client, self.timeout)
        let result = await withTimeLimit(timeout) { () -> Result<ClientResponse, HTTPClientError> in
            do throws(HTTPClientError) {
                return .success(try await client.execute(request, to: destination, idleTimeout: .some(timeout)))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case nil:
            return .unreachable(reason: "no complete answer within \(timeout)")
        case .failure(let error)?:
            return .unreachable(reason: "\(error)")
        case .success(let response)?:
            let status = response.status.code
            if (200..<300).contains(status) { return .delivered(status: status) }
            let retryAfter = status == 429 || status == 503 ? response.headers.retryAfter() : nil
            return .refused(status: status, retryAfter: retryAfter)
        }
    }
}
