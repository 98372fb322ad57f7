/// Just enough DER to write the X.509 extension values Warden puts in certificates. Writing
/// the bytes ourselves avoids OpenSSL's `X509V3_EXT_conf` strings, in which a host name would
/// be spliced into a little language ("DNS:a,DNS:b"), and `x509v3.h`, which the COpenSSL shim
/// does not include.
enum DER {
    static func sequence(_ elements: [UInt8]...) -> [UInt8] { element(tag: 0x30, elements.flatMap { $0 }) }
    static func octetString(_ bytes: [UInt8]) -> [UInt8] { element(tag: 0x04, bytes) }
    static let booleanTrue: [UInt8] = [0x01, 0x01, 0xFF]

    /// A non-negative INTEGER below 128 (path lengths).
    static func smallInteger(_ value: UInt8) -> [UInt8] {
        precondition(value < 0x80)
        return [0x02, 0x01, value]
    }

    /// A named-bit BIT STRING (KeyUsage) from the bits' numbers, 0 being the most significant bit
    /// of the first byte. DER drops trailing zero bits, and counts the padding in the first byte.
    static func namedBits(_ bits: [Int]) -> [UInt8] {
        guard let highest = bits.max() else { return [0x03, 0x01, 0x00] }
        var bytes = [UInt8](repeating: 0, count: highest / 8 + 1)
        for bit in bits { bytes[bit / 8] |= 0x80 >> UInt8(bit % 8) }
        let unused = UInt8(7 - highest % 8)
        return element(tag: 0x03, [unused] + bytes)
    }

    /// A context-specific tag: `[number]` IMPLICIT, primitive (GeneralName's dNSName, iPAddress;
    /// AuthorityKeyIdentifier's keyIdentifier).
    static func contextPrimitive(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] { element(tag: 0x80 | number, bytes) }

    static func element(tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag] + length(content.count) + content }

    static func length(_ count: Int) -> [UInt8] {
        guard count >= 0x80 else { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var rest = count
        while rest > 0 { bytes.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// The content of a DER OCTET STRING, or nil if `bytes` is not exactly one.
    static func octetStringContent(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 2, bytes[0] == 0x04 else { return nil }
        var offset = 2
        var length = Int(bytes[1])
        if length >= 0x80 {
            let count = length & 0x7F
            guard count >= 1, count <= 2, bytes.count >= 2 + count else { return nil }
            length = bytes[2..<(2 + count)].reduce(0) { $0 << 8 | Int($1) }
            offset += count
        }
        guard bytes.count == offset + length else { return nil }
        return Array(bytes[offset...])
    }
}
