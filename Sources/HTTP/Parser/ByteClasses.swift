// Character classes of RFC 9110 §5.6.2 and RFC 9112, as branch-light functions the
// optimiser inlines into the scanning loops.

enum ASCII {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let sp: UInt8 = 32
    static let htab: UInt8 = 9
    static let colon: UInt8 = 58
    static let semicolon: UInt8 = 59
    static let slash: UInt8 = 47
    static let question: UInt8 = 63
}

@inline(__always) func isTokenChar(_ c: UInt8) -> Bool {
    switch c {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E:
        return true
    default: return false
    }
}

/// field-vchar / SP / HTAB; obs-text (0x80-0xFF) is allowed, DEL and other CTLs are not.
@inline(__always) func isFieldValueChar(_ c: UInt8) -> Bool {
    c == ASCII.htab || (c >= 0x20 && c != 0x7F)
}

/// Visible ASCII: what a request-target may contain (RFC 3986 characters are a subset).
@inline(__always) func isTargetChar(_ c: UInt8) -> Bool { c >= 0x21 && c <= 0x7E }

@inline(__always) func isOWS(_ c: UInt8) -> Bool { c == ASCII.sp || c == ASCII.htab }

@inline(__always) func hexValue(_ c: UInt8) -> Int? {
    switch c {
    case 0x30...0x39: return Int(c - 0x30)
    case 0x41...0x46: return Int(c - 0x41 + 10)
    case 0x61...0x66: return Int(c - 0x61 + 10)
    default: return nil
    }
}

/// Host header: reg-name / IP-literal characters plus an optional port (RFC 3986 §3.2.2).
@inline(__always) func isHostChar(_ c: UInt8) -> Bool {
    switch c {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
         UInt8(ascii: "%"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"),
         UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"),
         UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
         UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
        return true
    default: return false
    }
}
