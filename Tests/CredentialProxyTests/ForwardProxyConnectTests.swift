import CLinux
import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Testing
import TestSupport

/// CONNECT through a session's proxy.sock: allowed hosts without a credential are tunnelled to
/// a plain TCP echo server on 127.0.0.1; everything else is answered by the proxy itself.
@Suite struct ForwardProxyConnectTests {
    typealias H = ForwardProxyHarness

    @Test func anExactRuleLetsATunnelThroughAndItIsAuditedWhenItEnds() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "allow")], credential: false) { h in
            let agent = try UnixClient(path: h.socketPath)
            defer { agent.close() }
            let authority = "127.0.0.1:\(echo.port)"
            // Bytes pipelined behind the head go through the tunnel too.
            try await agent.send("CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\n\r\nping")
            let (status, _) = try await agent.readHead()
            #expect(status == 200)
            #expect(try await agent.read(4) == "ping")
            try await agent.send("pong!")
            #expect(try await agent.read(5) == "pong!")
            agent.shutdownWrite()
            #expect(try await agent.readToEnd() == "")

            #expect(await eventually { ((try? await h.proxyAudit()) ?? []).count == 1 })
            let row = try #require(try await h.proxyAudit().first)
            #expect(row["method"] == .string("CONNECT"))
            #expect(row["host"] == .string(authority))
            #expect(row["status"] == .integer(200))
            #expect(row["bytes"] == .integer(9))
            #expect(row["bytes_sent"] == .integer(9))
            #expect(row["rule"] != nil && row["rule"] != .null)
            #expect(row["credential"] == .null)
        }
    }

    @Test func withoutARuleTheTunnelIsDenied() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await H.with(credential: false) { h in
            let (status, body) = try await connect(h, "127.0.0.1:\(echo.port)")
            #expect(status == 403)
            #expect(H.error(body)["code"] == .string("egress_denied"))
            #expect(echo.accepted == 0)
            #expect(await eventually { ((try? await h.proxyAudit()) ?? []).first?["status"] == .integer(403) })
        }
    }

    @Test func aHostWithACredentialIsNotTunnelledWithoutACertificateAuthority() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "allow")], interception: false) { h in
            let (status, body) = try await connect(h, "127.0.0.1:\(echo.port)")
            #expect(status == 501)
            #expect(H.error(body)["code"] == .string("interception_not_available"))
            let message: String
            if case .string(let text) = H.error(body)["message"] { message = text } else { message = "" }
            #expect(message.contains("certificate authority"))
            #expect(echo.accepted == 0)
        }
    }

    @Test func metadataAddressesAreRefused() async throws {
        try await H.with(rules: [RuleSpec(host: "*.test", action: "allow")], credential: false) { h in
            // A name that resolves to the metadata address, allowed by a wildcard rule.
            let (viaName, nameBody) = try await connect(h, "metadata.test:80")
            #expect(viaName == 403)
            #expect(H.error(nameBody)["code"] == .string("egress_address_refused"))
            // The literal, which no rule names.
            let (literal, literalBody) = try await connect(h, "169.254.169.254:80")
            #expect(literal == 403)
            #expect(H.error(literalBody)["code"] == .string("egress_denied"))
        }
    }

    @Test func rulesThatMustSeeRequestsNeedInterception() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        let narrowAllow = [RuleSpec(host: "127.0.0.1", pathPrefix: "/api", action: "allow")]
        let narrowDeny = [RuleSpec(host: "127.0.0.1", action: "allow"),
                          RuleSpec(host: "127.0.0.1", methods: ["DELETE"], action: "deny")]
        let approve = [RuleSpec(host: "127.0.0.1", action: "approve")]
        for rules in [narrowAllow, narrowDeny, approve] {
            try await H.with(rules: rules, credential: false, interception: false) { h in
                let (status, body) = try await connect(h, "127.0.0.1:\(echo.port)")
                #expect(status == 501)
                #expect(H.error(body)["code"] == .string("interception_not_available"))
            }
        }
        #expect(echo.accepted == 0)
    }

    @Test func aTargetWithoutAPortOrADisagreeingHostIsRefused() async throws {
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "allow")], credential: false) { h in
            let (noPort, _) = try await connect(h, "127.0.0.1")
            #expect(noPort == 400)
            let (mismatch, body) = try await connect(h, "127.0.0.1:9", host: "example.com:9")
            #expect(mismatch == 421)
            #expect(H.error(body)["code"] == .string("host_mismatch"))
        }
    }

    @Test func anUnreachableUpstreamIs502() async throws {
        // Bound but never listening: a closed listener's port could go to another test's server.
        let reserved = try ReservedPort()
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "allow")], credential: false) { h in
            let (status, body) = try await connect(h, "127.0.0.1:\(reserved.port)")
            #expect(status == 502)
            #expect(H.error(body)["code"] == .string("upstream_unreachable"))
        }
    }

    /// Sends one CONNECT and reads the proxy's own answer (status, body).
    private func connect(_ h: H, _ authority: String, host: String? = nil) async throws -> (Int, String) {
        let agent = try UnixClient(path: h.socketPath)
        defer { agent.close() }
        try await agent.send("CONNECT \(authority) HTTP/1.1\r\nHost: \(host ?? authority)\r\n\r\n")
        let (status, headers) = try await agent.readHead()
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        return (status, try await agent.read(length))
    }
}

private func eventually(timeout: Duration = .seconds(20), _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
