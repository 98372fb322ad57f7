import Foundation

/// A verified token's claims: the registered ones the verifiers check, and every other
/// top-level string or boolean claim by name (Bot Framework's `serviceurl`, Google's `email`).
struct JWTClaims: Sendable, Decodable {
    let issuer: String?
    /// `aud` may be one string or an array of them (RFC 7519 §4.1.3).
    let audiences: [String]
    let expiresAt: Date?
    let notBefore: Date?
    private let strings: [String: String]
    private let booleans: [String: Bool]

    func string(_ name: String) -> String? { strings[name] }
    func bool(_ name: String) -> Bool? { booleans[name] }

    private struct Name: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Name.self)
        var strings: [String: String] = [:]
        var booleans: [String: Bool] = [:]
        for key in container.allKeys {
            if let text = try? container.decode(String.self, forKey: key) { strings[key.stringValue] = text }
            if let flag = try? container.decode(Bool.self, forKey: key) { booleans[key.stringValue] = flag }
        }
        self.strings = strings
        self.booleans = booleans
        issuer = strings["iss"]
        let aud = Name(stringValue: "aud")
        audiences = strings["aud"].map { [$0] } ?? (try? container.decode([String].self, forKey: aud)) ?? []
        // NumericDate: seconds since 1970, possibly fractional (RFC 7519 §2).
        expiresAt = try container.decodeIfPresent(Double.self, forKey: Name(stringValue: "exp")).map(Date.init(timeIntervalSince1970:))
        notBefore = try container.decodeIfPresent(Double.self, forKey: Name(stringValue: "nbf")).map(Date.init(timeIntervalSince1970:))
    }
}
