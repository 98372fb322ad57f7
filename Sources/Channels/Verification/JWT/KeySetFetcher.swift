import Foundation

/// Where a `JWKSCache` gets a platform's signing keys. The real one speaks HTTPS
/// (`HTTPKeySetFetcher`); the cache only needs the document and how long it may be kept.
public protocol KeySetFetcher: Sendable {
    func fetchKeySet() async throws(KeySetFetchError) -> FetchedKeySet
}

/// A JWKS document as fetched: its raw JSON, and the `Cache-Control: max-age` it came with.
public struct FetchedKeySet: Sendable {
    public var document: [UInt8]
    public var maxAge: TimeInterval?

    public init(document: [UInt8], maxAge: TimeInterval? = nil) {
        self.document = document
        self.maxAge = maxAge
    }
}

/// Why keys could not be had; the reason names the URL and what went wrong, for warden's
/// operator (it reaches the platform's request only as "keys unavailable").
public struct KeySetFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
