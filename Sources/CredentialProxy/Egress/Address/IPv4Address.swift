/// An IPv4 address as one 32-bit number (127.0.0.1 is 0x7F00_0001).
public struct IPv4Address: Sendable, Hashable, CustomStringConvertible {
    public let value: UInt32

    public init(value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// The only form warden accepts as an IPv4 host: four decimal parts 0…255, no leading zeros.
    public init?(dottedQuad text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit),
                  part == "0" || part.first != "0", let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        self.value = value
    }

    /// What `inet_aton` (and so `getaddrinfo`, curl and browsers) makes of a numeric host: one to
    /// four parts, each decimal, octal (leading `0`) or hex (`0x`), the last filling the bits
    /// left — `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` are all 127.0.0.1. Warden refuses
    /// such forms as hosts; reading them lets it say which address was meant.
    public init?(inetAton text: some StringProtocol) {
        let parts = String(text).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = Self.inetAtonPart(part) else { return nil }
            numbers.append(number)
        }
        let lastBits = UInt64(32 - 8 * (numbers.count - 1))
        guard numbers.dropLast().allSatisfy({ $0 <= 255 }), numbers.last! < (1 << lastBits) else { return nil }
        var value: UInt64 = 0
        for number in numbers.dropLast() { value = value << 8 | number }
        value = value << lastBits | numbers.last!
        self.value = UInt32(value)
    }

    /// Whether the address lies in `base/prefixLength`.
    public func isIn(_ base: IPv4Address, prefixLength: Int) -> Bool {
        guard prefixLength > 0 else { return true }
        let mask = UInt32.max << UInt32(32 - prefixLength)
        return value & mask == base.value & mask
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    private static func inetAtonPart(_ part: Substring) -> UInt64? {
        var digits = part
        var radix: UInt64 = 10
        if part.hasPrefix("0x") || part.hasPrefix("0X") {
            radix = 16
            digits = part.dropFirst(2)
            // glibc reads a bare "0x" as 0; so does the WHATWG URL parser.
            if digits.isEmpty { return 0 }
        } else if part.count > 1 && part.hasPrefix("0") {
            radix = 8
            digits = part.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 12 else { return nil }  // 12 hex digits cannot overflow
        var number: UInt64 = 0
        for character in digits {
            guard let digit = character.hexDigitValue, UInt64(digit) < radix else { return nil }
            number = number * radix + UInt64(digit)
        }
        return number
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
