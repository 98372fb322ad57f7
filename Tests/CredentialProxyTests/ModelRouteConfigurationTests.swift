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

    @Test func theModelHostsAreTheForwardProxysAlwaysAllowedHosts() throws {
        let configuration = try ModelRouteConfiguration(anthropicBaseURL: "https://api.anthropic.com",
                                                        openaiBaseURL: "http://[::1]:8080/v1")
        let hosts = Set(configuration.egressHosts.map(\.description))
        #expect(hosts == ["api.anthropic.com", "[::1]"])
        let decision = EgressPolicy.decide(method: "POST", host: "api.anthropic.com", path: "/v1/messages", rules: [],
                                           alwaysAllowedHosts: configuration.egressHosts)
        #expect(decision.action == .allow)
        #expect(try ModelRouteConfiguration(anthropicBaseURL: nil, openaiBaseURL: nil).egressHosts.isEmpty)
    }

    @Test func httpsUpstreamsAreVerifiedForTheirHostOnPort443() throws {
        let anthropic = try UpstreamURL(parsing: "https://api.anthropic.com")
        #expect(anthropic.destination == .tls(.tcp(host: "api.anthropic.com", port: 443), serverName: "api.anthropic.com"))
        #expect(anthropic.description == "https://api.anthropic.com")
        let gateway = try UpstreamURL(parsing: "https://gateway.internal:8443/v1")
        #expect(gateway.destination.tlsServerName == "gateway.internal")
        #expect(gateway.address == .tcp(host: "gateway.internal", port: 8443))
        #expect(try UpstreamURL(parsing: "http://127.0.0.1:9").destination.isTLS == false)
    }

    @Test func aBadBaseURLIsAStartUpErrorThatNamesTheOption() {
        do {
            _ = try ModelRouteConfiguration(anthropicBaseURL: "ftp://api.anthropic.com", openaiBaseURL: nil)
            Issue.record("accepted an ftp upstream")
        } catch {
            #expect(error.description.contains("--anthropic-base-url"))
            #expect(error.description.contains("https://"))
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
