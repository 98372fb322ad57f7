/// The base64url alphabet without padding (RFC 7515 §2), as JWT segments and JWK numbers use
/// it. Strict: `+`, `/`, `=` and whitespace are refused, so one token has one spelling.
enum Base64URL {
    static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let characters = Array(text.utf8)
        // A lone trailing character would carry only 6 bits: no byte ends there.
        guard characters.count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in characters {
            guard let value = sextet(character) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero, or two spellings would decode to the same bytes.
        guard accumulator & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return bytes
    }

    private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case 65...90: return c - 65        // A-Z
        case 97...122: return c - 71       // a-z
        case 48...57: return c + 4         // 0-9
        case 45: return 62                 // -
        case 95: return 63                 // _
        default: return nil
        }
    }
}
