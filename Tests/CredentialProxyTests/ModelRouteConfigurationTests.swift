@testable import CredentialProxy
import HTTP
import Testing

@Suite("Model route: configuration")
struct ModelRouteConfigurationTests {
    @Test func httpBaseURLsWithAndWithoutAPathPrefix() throws {
        let plain = try UpstreamURL(parsing: "http://127.0.0.1:9999")
        #expect(plain.address == .tcp(host: "127.0.0.1", port: 9999))
        #expect(plain.authority == "127.0.0.1:9999")
        #expect(plain.target(for: "/v1/messages", query: nil) == "/v1/messages")

        let prefixed = try UpstreamURL(parsing: "http://gateway.internal/openai/v1/")
        #expect(prefixed.address == .tcp(host: "gateway.internal", port: 80))
        #expect(prefixed.authority == "gateway.internal")
        #expect(prefixed.target(for: "/chat/completions", query: "x=1") == "/openai/v1/chat/completions?x=1")

        let v6 = try UpstreamURL(parsing: "http://[::1]:8080/v1")
        #expect(v6.address == .tcp(host: "::1", port: 8080))
    }

    @Test func httpsIsAStartUpErrorThatSaysWhy() {
        do {
            _ = try ModelRouteConfiguration(anthropicBaseURL: "https://api.anthropic.com", openaiBaseURL: nil)
            Issue.record("accepted an https upstream")
        } catch {
            #expect(error.problem == .tlsNotSupported)
            #expect(error.description.contains("--anthropic-base-url"))
            #expect(error.description.contains("TLS upstreams arrive with the credential proxy issue"))
        }
    }

    @Test(arguments: ["ftp://x", "http://", "http://host:99999", "http://user@host", "http://host/?q", "api.openai.com"])
    func malformedBaseURLsAreRefused(url: String) {
        #expect(throws: ModelRouteConfigurationError.self) {
            try ModelRouteConfiguration(anthropicBaseURL: nil, openaiBaseURL: url)
        }
    }

    @Test func unsetProvidersStayUnconfigured() throws {
        let configuration = try ModelRouteConfiguration(anthropicBaseURL: "http://127.0.0.1:1", openaiBaseURL: "")
        #expect(configuration.upstream(for: .anthropic) != nil)
        #expect(configuration.upstream(for: .openai) == nil)
    }
}
