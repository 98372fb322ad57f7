import Foundation

/// A compact JWS (`header.payload.signature`) taken apart but not yet trusted: only the header
/// is read, to learn the algorithm and key id; the payload stays bytes until the signature holds.
struct JSONWebToken: Sendable {
    struct Header: Decodable, Sendable {
        let alg: String
        let kid: String?
    }

    let header: Header
    /// `base64url(header) "." base64url(payload)`: what the signature covers.
    let signingInput: [UInt8]
    let payload: [UInt8]
    let signature: [UInt8]

    /// `header` names where the token came from, for messages.
    init(compact: Substring, header headerName: String) throws(VerificationFailure) {
        let segments = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 else {
            throw .headerMalformed(header: headerName, reason: "the bearer token is not a JWT (three base64url segments)")
        }
        guard let headerBytes = Base64URL.decode(segments[0]), let payload = Base64URL.decode(segments[1]),
              let signature = Base64URL.decode(segments[2]) else {
            throw .headerMalformed(header: headerName, reason: "the bearer token's segments are not base64url")
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else {
            throw .headerMalformed(header: headerName, reason: "the bearer token's header is not a JSON object with alg")
        }
        self.header = header
        signingInput = Array(compact.utf8[..<segments[1].endIndex])
        self.payload = payload
        self.signature = signature
    }
}
