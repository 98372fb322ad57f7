import Core

/// Hexadecimal text to bytes, for signatures that platforms send as hex digits.
enum Hex {
    /// `text` as bytes (either case), or nil when it has an odd length or a non-hex character.
    static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Crypto.hexDigitValue(digits[index]),
                  let low = Crypto.hexDigitValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
