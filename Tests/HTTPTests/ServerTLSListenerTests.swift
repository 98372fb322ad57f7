import Foundation
import Testing
import TestSupport
@testable import HTTP

/// A listener with a `TLSServerContext`: every connection it accepts is TLS from its first
/// byte, served by the server's own handler, with the SNI on each request.
@Suite struct ServerTLSListenerTests {
    @Test func anHTTPSListenerServesTheHandlerOverTLSWithKeepAlive() async throws {
        let fixture = try TLSTestFixture()
        defer { fixture.stop() }
        let context = try TLSServerContext(certificateChainPEM: fixture.serverCertificate.pem + fixture.authority.pem,
                                           privateKeyPEM: fixture.serverCertificate.key.pem)
        let seen = Locked<[String]>([])
        let server = HTTPServer(group: fixture.group, handler: ClosureHandler { request in
            seen.update { $0.append("\(request.path) sni=\(request.tlsServerName ?? "-") ctx=\(request.listenerContext as? String ?? "-")") }
            return .response(.text("secure \(request.path)"))
        })
        let listener = try server.listen(.tcp(host: "127.0.0.1", port: 0), context: "tls-listener", tls: context)
        guard case .tcp(_, let port) = listener.address else { Issue.record("no port"); return }
        let destination = ClientDestination.tls(.tcp(host: "127.0.0.1", port: port), serverName: "localhost")
        for path in ["/a", "/b"] {
            let response = try await fixture.client.execute(ClientRequest(target: path, headers: ["Host": "localhost"]),
                                                            to: destination)
            #expect(response.status == .ok)
            #expect(String(decoding: response.body, as: UTF8.self) == "secure \(path)")
        }
        #expect(seen.value == ["/a sni=localhost ctx=tls-listener", "/b sni=localhost ctx=tls-listener"])
        #expect(server.statistics.connectionsAccepted.load(ordering: .relaxed) == 1, "the two requests shared one connection")
        #expect(server.statistics.intercepted.load(ordering: .relaxed) == 0)

        // A plaintext client gets no HTTP answer from a TLS listener, only a closed connection.
        await #expect(throws: HTTPClientError.self) {
            _ = try await fixture.client.execute(ClientRequest(target: "/", headers: ["Host": "localhost"]),
                                                 to: .plain(.tcp(host: "127.0.0.1", port: port)))
        }
        await server.shutdown(grace: .seconds(2))
    }
}
