import Core

/// A secret value held as bytes. Every way Swift has of printing a value (`description`,
/// `debugDescription`, `dump`, string interpolation, log metadata) shows only `<redacted>`,
/// so a secret that ends up in a log line or an error message by mistake still says nothing.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { bytes = Array(text.utf8) }

    public var isEmpty: Bool { bytes.isEmpty }

    /// The value as text, for the one place that needs it: the header sent upstream.
    public func revealText() -> String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "Secret(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Constant time, so comparing secrets does not reveal where they differ.
    public static func == (a: Secret, b: Secret) -> Bool { Crypto.constantTimeEqual(a.bytes, b.bytes) }
}
