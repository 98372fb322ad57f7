import HTTP

/// Why a delivery was refused. A request that is not authenticated (no header, a signature or
/// token that does not verify, a stale timestamp, a key we do not have) gets 401; one that cannot
/// even be read (an unparseable header, a body that must be JSON and is not) gets 400.
/// Messages name the header and the window involved so a person can act, and never carry a
/// secret, an expected signature or the token itself.
public enum VerificationFailure: HTTPResponseError, Sendable, Equatable {
    /// A header the platform always sends is absent.
    case headerMissing(header: String)
    /// A header is present but not in the platform's format.
    case headerMalformed(header: String, reason: String)
    /// The body has to be read to finish verifying (Linear's timestamp, a Teams activity's
    /// serviceUrl) and is not what the platform sends.
    case payloadMalformed(String)
    /// The signature or token does not verify with the configured secret or keys.
    case signatureInvalid(String)
    /// The signed time is outside the platform's window: a replay, or a clock that is off.
    case timestampStale(String)
    /// The token is signed with a key the platform's key set does not hold.
    case keyUnknown(String)
    /// The platform's keys could not be fetched; refused rather than trusted unchecked.
    case keysUnavailable(String)
    /// A well-signed token that is not for this bot: issuer, audience, service URL, endorsement.
    case claimRejected(String)

    public var status: HTTPStatus {
        switch self {
        case .headerMalformed, .payloadMalformed: return .badRequest
        case .headerMissing, .signatureInvalid, .timestampStale, .keyUnknown, .keysUnavailable, .claimRejected:
            return .unauthorized
        }
    }

    public var code: String {
        switch self {
        case .headerMissing: return "header_missing"
        case .headerMalformed: return "header_malformed"
        case .payloadMalformed: return "payload_malformed"
        case .signatureInvalid: return "signature_invalid"
        case .timestampStale: return "timestamp_stale"
        case .keyUnknown: return "key_unknown"
        case .keysUnavailable: return "keys_unavailable"
        case .claimRejected: return "claim_rejected"
        }
    }

    public var message: String {
        switch self {
        case .headerMissing(let header): return "The request has no \(header) header, so it cannot be verified."
        case .headerMalformed(let header, let reason): return "The \(header) header is malformed: \(reason)."
        case .payloadMalformed(let reason): return "The body is malformed: \(reason)."
        case .signatureInvalid(let reason), .timestampStale(let reason), .keyUnknown(let reason),
             .keysUnavailable(let reason), .claimRejected(let reason):
            return reason.prefix(1).uppercased() + reason.dropFirst() + "."
        }
    }

    /// The header at fault, for the error envelope's `param`.
    public var param: String? {
        switch self {
        case .headerMissing(let header), .headerMalformed(let header, _): return header
        default: return nil
        }
    }
}

/// A verifier that cannot be built from its configuration: caught when a channel is configured,
/// not when the first delivery arrives.
public enum VerifierConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptySecret
    case invalidPublicKey(String)
    case invalidURL(String)

    public var description: String {
        switch self {
        case .emptySecret: return "the secret is empty; anyone could sign with an empty key"
        case .invalidPublicKey(let reason): return "the public key is not usable: \(reason)"
        case .invalidURL(let reason): return "the key-set URL is not usable: \(reason)"
        }
    }
}
