import Core
import Foundation
import HTTP
import Logging
import TestSupport

/// The Slack Web API on 127.0.0.1, as far as replies need it: records every request and answers
/// from a script, then `{"ok":true,"ts":"…"}` with a fresh ts for each message it accepts.
final class FakeSlackAPI: Sendable {
    let server: HTTPServer
    let port: Int
    private let received = Locked<[Request]>([])
    private let script: Locked<[Response]>

    init(group: EventLoopGroup, answers: [Response] = []) throws {
        let received = self.received, script = Locked(answers)
        self.script = script
        let counter = Locked(0)
        server = HTTPServer(group: group, handler: ClosureHandler { request in
            received.update { $0.append(request) }
            if let scripted = script.update({ $0.isEmpty ? nil : $0.removeFirst() }) { return .response(scripted) }
            let n = counter.update { $0 += 1; return $0 }
            return .response(Response.json(Array(#"{"ok":true,"channel":"C123ABC456","ts":"1700000000.\#(String(format: "%06d", n))"}"#.utf8),
                                       status: .ok))
        }, logger: Logger(label: "test.fake-slack", factory: { _ in SwiftLogNoOpLogHandler() }))
        guard case .tcp(_, let port) = try server.listen(.tcp(host: "127.0.0.1", port: 0)).address else {
            fatalError("a TCP listener has a port")
        }
        self.port = port
    }

    var origin: String { "http://127.0.0.1:\(port)" }
    var requests: [Request] { received.value }

    /// Waits until `count` requests arrived (or fails after `seconds`).
    func waitForRequests(_ count: Int, within seconds: Double = 10) async throws -> [Request] {
        try await eventually(within: seconds, "\(count) requests to the fake Slack API") { self.requests.count >= count }
        return requests
    }

    func stop() async { await server.shutdown(grace: .seconds(1)) }

    static func rateLimited(after seconds: Int) -> Response {
        Response(status: HTTPStatus(429), headers: ["Retry-After": "\(seconds)", "Content-Type": "application/json"],
                 bytes: Array(#"{"ok":false,"error":"ratelimited"}"#.utf8))
    }
}

extension Request {
    /// The body as JSON (`chat.postMessage` and `chat.update` take JSON).
    var jsonBody: JSONValue? { JSONValue.parse(body) }
}
