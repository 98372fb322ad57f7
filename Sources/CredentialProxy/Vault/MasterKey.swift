import Core
import Foundation

/// The 32-byte AES-256 key that seals every credential. Printing it shows nothing.
public struct MasterKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let byteCount = 32
    let bytes: [UInt8]

    /// `bytes` must be exactly 32 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// A fresh key from OpenSSL's generator.
    public static func random() -> MasterKey { MasterKey(unchecked: Crypto.randomBytes(byteCount)) }

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Parses `WARDEN_MASTER_KEY`: 64 hex characters, or base64 (standard or URL-safe, padding
    /// optional) of exactly 32 bytes. Surrounding whitespace is ignored, as files and shells add it.
    public init(environmentValue raw: String) throws(VaultError) {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .invalidEnvironmentKey(reason: "it is empty") }
        if let bytes = Self.decodeHex(text) {
            self.init(unchecked: bytes)
            return
        }
        guard let decoded = Self.decodeBase64(text) else {
            throw .invalidEnvironmentKey(reason: "\(text.count) characters that are neither 64 hex digits nor base64")
        }
        guard decoded.count == Self.byteCount else {
            throw .invalidEnvironmentKey(reason: "it decodes as base64 to \(decoded.count) bytes, not 32")
        }
        self.init(unchecked: decoded)
    }

    static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == byteCount * 2 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(byteCount)
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Crypto.hexDigitValue(digits[i]), let low = Crypto.hexDigitValue(digits[i + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }


    static func decodeBase64(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = standard.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder != 0 { standard += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: standard).map { Array($0) }
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "MasterKey(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    public static func == (a: MasterKey, b: MasterKey) -> Bool { Crypto.constantTimeEqual(a.bytes, b.bytes) }
}
