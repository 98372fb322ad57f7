import Synchronization

/// The prefixes of SPEC §3, so an id says what it names.
public enum IDKind: String, Sendable, CaseIterable {
    case session = "ses", message = "msg", run = "run", approval = "apr", credential = "crd", rule = "rul"
    case key = "key", event = "evt", task = "tsk", channel = "chn", audit = "aud"
    case webhook = "whk", webhookDelivery = "whd", channelDelivery = "chd"
}

/// Time-ordered ids: 48 bits of milliseconds then 80 random bits, in Crockford base32 (a ULID),
/// made strictly increasing within the process. Ordering by id is therefore creation order,
/// which is what keyset pagination needs.
public final class IDGenerator: Sendable {
    private struct State { var lastMillis: UInt64 = 0; var high: UInt16 = 0; var low: UInt64 = 0 }
    private let state = Mutex(State())
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public init() {}

    public func make(_ kind: IDKind) -> String {
        let (millis, high, low) = state.withLock { s -> (UInt64, UInt16, UInt64) in
            let now = Timestamp.nowMillis()
            if now > s.lastMillis {
                s.lastMillis = now
                var g = SystemRandomNumberGenerator()
                s.high = UInt16.random(in: 0...UInt16.max, using: &g) & 0x7FFF // room to increment
                s.low = g.next()
            } else {
                // Same (or earlier) millisecond: increment the random part to stay monotonic.
                s.low &+= 1
                if s.low == 0 { s.high &+= 1 }
            }
            return (s.lastMillis, s.high, s.low)
        }
        let prefix = kind.rawValue.utf8
        // Written in place: several ids are made per message write, on the store's writer thread.
        return String(unsafeUninitializedCapacity: prefix.count + 27) { out in
            var n = 0
            for byte in prefix { out[n] = byte; n += 1 }
            out[n] = UInt8(ascii: "_"); n += 1
            // 10 digits of time (48 bits), then 16 digits of the 80 random bits: a ULID's layout.
            for i in 0..<10 { out[n] = Self.alphabet[Int((millis >> UInt64(45 - 5 * i)) & 31)]; n += 1 }
            for i in 0..<16 {
                let shift = 75 - 5 * i // of the lowest bit of this digit, counted from bit 0 of `low`
                let value: UInt64
                if shift >= 64 {
                    value = (UInt64(high) >> UInt64(shift - 64)) & 31
                } else if shift + 5 <= 64 {
                    value = (low >> UInt64(shift)) & 31
                } else {
                    value = ((UInt64(high) << UInt64(64 - shift)) | (low >> UInt64(shift))) & 31
                }
                out[n] = Self.alphabet[Int(value)]; n += 1
            }
            return n
        }
    }

    /// Whether `id` looks like an id of `kind` (cheap syntax check before a lookup).
    public static func isValid(_ id: String, kind: IDKind) -> Bool {
        let bytes = Array(id.utf8)
        let prefix = kind.rawValue.utf8.count
        guard bytes.count == prefix + 27, id.hasPrefix(kind.rawValue + "_") else { return false }
        return bytes[(prefix + 1)...].allSatisfy { alphabet.contains($0) }
    }
}
