import Core
import Foundation
import HTTP
import Logging
import TestSupport

let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// A webhook endpoint on 127.0.0.1: records every request and answers from a script (200 once
/// the script is spent). `hold` makes it keep requests waiting until `release`, like an
/// endpoint that hangs.
final class Receiver: Sendable {
    let server: HTTPServer
    let port: Int
    let received = Locked<[Request]>([])
    private let script: Locked<[Response]>
    private let holding: Locked<Bool>

    init(group: EventLoopGroup, answers: [Response] = [], hold: Bool = false) throws {
        let received = self.received, script = Locked(answers), holding = Locked(hold)
        self.script = script
        self.holding = holding
        server = HTTPServer(group: group, handler: ClosureHandler { request in
            received.update { $0.append(request) }
            return .async {
                while holding.value { try? await Task.sleep(for: .milliseconds(10)) }
                return script.update { $0.isEmpty ? Response.json(Array("{}".utf8), status: .ok) : $0.removeFirst() }
            }
        }, logger: quietLogger)
        guard case .tcp(_, let port) = try server.listen(.tcp(host: "127.0.0.1", port: 0)).address else {
            fatalError("a TCP listener has a port")
        }
        self.port = port
    }

    /// Where webhooks point; the query stands for a receiver's token, which logs must not show.
    var url: String { "http://127.0.0.1:\(port)/hooks/warden?token=t0ken" }

    var requests: [Request] { received.value }

    func release() { holding.set(false) }

    func stop() async {
        release()
        await server.shutdown(grace: .seconds(1))
    }

    static func answer(_ status: Int, headers: HTTPHeaders = [:]) -> Response {
        Response(status: HTTPStatus(status), headers: headers, bytes: Array("{}".utf8))
    }
}

/// What a receiver checks, written from the specification rather than with warden's signer:
/// the HMAC of `id.timestamp.body` under the secret's base64-decoded bytes.
func hasValidSignature(_ request: Request, secret: String) -> Bool {
    guard let id = request.headers["webhook-id"], let timestamp = request.headers["webhook-timestamp"],
          let signatures = request.headers["webhook-signature"],
          let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) else { return false }
    let expected = Data(Crypto.hmacSHA256(key: Array(key), message: Array("\(id).\(timestamp).".utf8) + request.body))
        .base64EncodedString()
    return signatures.split(separator: " ").contains { $0 == "v1,\(expected)" }
}
