import Foundation
@testable import HTTP

/// A test CA, a server certificate it signed for localhost and 127.0.0.1, and a client on its
/// own loops that trusts only that CA.
final class TLSTestFixture: Sendable {
    let authority: TLSTestCertificate
    let serverCertificate: TLSTestCertificate
    let group: EventLoopGroup
    let client: HTTPClient

    init(trust: [TLSConfiguration.CertificateSource]? = nil, configure: (inout HTTPClient.Configuration) -> Void = { _ in }) throws {
        authority = TLSTestCertificate.authority()
        serverCertificate = authority.issue(for: ["localhost", "127.0.0.1"])
        group = try EventLoopGroup(loopCount: 2)
        var configuration = HTTPClient.Configuration()
        configuration.idleTimeout = .seconds(20)
        configuration.tls = TLSConfiguration(trustsSystemRoots: false, additionalRoots: trust ?? [.pem(authority.pem)])
        configure(&configuration)
        client = HTTPClient(group: group, configuration: configuration)
    }

    func destination(_ server: TLSTestServer, name: String = "localhost") -> ClientDestination {
        .tls(.tcp(host: "127.0.0.1", port: server.port), serverName: name)
    }

    func stop() {
        client.shutdown()
        group.shutdown()
    }
}

/// Runs `body` with a fixture and a TLS test server using its certificate, then stops both.
@discardableResult
func withTLSFixture<R>(
    server certificate: ((TLSTestFixture) -> TLSTestCertificate)? = nil, maxVersion: Int32? = nil,
    configure: (inout HTTPClient.Configuration) -> Void = { _ in },
    _ handler: @escaping TLSTestServer.Handler,
    _ body: (TLSTestFixture, TLSTestServer) async throws -> R
) async throws -> R {
    let fixture = try TLSTestFixture(configure: configure)
    defer { fixture.stop() }
    return try await withTLSTestServer(certificate: certificate?(fixture) ?? fixture.serverCertificate,
                                       maxVersion: maxVersion, handler) { server in
        try await body(fixture, server)
    }
}

/// The handler most TLS tests use:
///   GET /hello → "hello"; POST /echo → the body; GET /big?n=N → N pseudo-random bytes;
///   GET /info → "sni=<SNI> alpn=<ALPN> host=<Host header>".
let tlsEchoHandler: TLSTestServer.Handler = { request, connection in
    switch request.target.split(separator: "?").first.map(String.init) ?? "" {
    case "/hello": connection.respond(text: "hello")
    case "/echo": connection.respond(body: request.body)
    case "/big":
        let n = Int(request.target.split(separator: "=").last ?? "") ?? 0
        connection.respond(body: pseudoRandomBytes(n, seed: 7))
    case "/info":
        connection.respond(text: "sni=\(request.serverName ?? "-") alpn=\(request.alpn ?? "-") host=\(request.headers["host"] ?? "-")")
    default: connection.respond(status: 404, text: "not found")
    }
}

func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    var bytes = [UInt8](repeating: 0, count: count)
    var i = 0
    while i < count {
        var word = generator.next()
        for _ in 0..<8 where i < count {
            bytes[i] = UInt8(truncatingIfNeeded: word)
            word >>= 8
            i += 1
        }
    }
    return bytes
}
