import Foundation
import HTTP

/// Fetches a platform's JWKS with the HTTP module's client: either straight from the key-set
/// URL (Google), or by first reading an OpenID metadata document and following its `jwks_uri`
/// (Bot Framework, whose key-set URL is only published there).
public struct HTTPKeySetFetcher: KeySetFetcher {
    public enum Source: Sendable {
        case keySet(url: String)
        case openIDConfiguration(url: String)
    }

    /// Keys and metadata are a few kilobytes; anything far larger is not what we asked for.
    static let maxDocumentBytes = 1 << 20

    private let client: HTTPClient
    private let source: Source
    private let url: KeySetURL
    private let timeout: Duration

    /// Checks the URL now, so a typo shows when the channel is configured.
    public init(client: HTTPClient, source: Source, timeout: Duration = .seconds(10)) throws(VerifierConfigurationError) {
        self.client = client
        self.source = source
        self.timeout = timeout
        switch source {
        case .keySet(let url), .openIDConfiguration(let url): self.url = try KeySetURL(url)
        }
    }

    public func fetchKeySet() async throws(KeySetFetchError) -> FetchedKeySet {
        switch source {
        case .keySet:
            return try await get(url)
        case .openIDConfiguration:
            let metadata = try await get(url)
            struct Metadata: Decodable { let jwks_uri: String }
            guard let jwksURI = try? JSONDecoder().decode(Metadata.self, from: Data(metadata.document)).jwks_uri else {
                throw KeySetFetchError("the OpenID metadata at \(url) has no jwks_uri")
            }
            let keySetURL: KeySetURL
            do { keySetURL = try KeySetURL(jwksURI) } catch { throw KeySetFetchError("the jwks_uri in \(url): \(error)") }
            return try await get(keySetURL)
        }
    }

    private func get(_ url: KeySetURL) async throws(KeySetFetchError) -> FetchedKeySet {
        let request = ClientRequest(method: "GET", target: url.target,
                                    headers: ["Accept": "application/json", "User-Agent": "warden"])
        let response: ClientResponse
        do {
            response = try await client.execute(request, to: url.destination, idleTimeout: .some(timeout))
        } catch {
            throw KeySetFetchError("GET \(url) failed: \(error)")
        }
        guard response.status.code == 200 else {
            throw KeySetFetchError("GET \(url) answered \(response.status.code)")
        }
        guard response.body.count <= Self.maxDocumentBytes else {
            throw KeySetFetchError("GET \(url) answered \(response.body.count) bytes, more than a key set can be")
        }
        return FetchedKeySet(document: response.body, maxAge: Self.maxAge(response.headers))
    }

    /// `Cache-Control: max-age=N`, which Google and Microsoft send with their keys.
    static func maxAge(_ headers: HTTPHeaders) -> TimeInterval? {
        for token in headers.tokens("Cache-Control") where token.hasPrefix("max-age=") {
            if let seconds = Int(token.dropFirst("max-age=".count)), seconds >= 0 { return TimeInterval(seconds) }
        }
        return nil
    }
}
