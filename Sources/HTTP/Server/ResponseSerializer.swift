/// Writes a response head in wire format. Framing headers are the server's business:
/// whatever a handler put in Content-Length, Transfer-Encoding or Connection is replaced.
enum ResponseSerializer {
    enum Framing { case length(Int), chunked, untilClose, none }

    static func head(status: HTTPStatus, headers: HTTPHeaders, framing: Framing, keepAlive: Bool,
                     version: HTTPVersion, requestID: String, date: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: statusLine(status))
        for field in headers.fields {
            if isFramingHeader(field.name) { continue }
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: [58, 32]) // ": "
            appendSanitized(field.value, to: &out)
            out.append(contentsOf: [13, 10])
        }
        switch framing {
        case .length(let n):
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(n, to: &out)
            out.append(contentsOf: [13, 10])
        case .chunked:
            out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        case .untilClose, .none:
            break
        }
        if !keepAlive {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if version == .http1_0 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        if !requestID.isEmpty, !headers.contains("X-Request-Id") {
            out.append(contentsOf: "X-Request-Id: ".utf8)
            out.append(contentsOf: requestID.utf8)
            out.append(contentsOf: [13, 10])
        }
        // A proxied response already carries the origin's Date (RFC 9110 §6.6.1); a second
        // one would make the head invalid.
        if !headers.contains("Date") {
            out.append(contentsOf: "Date: ".utf8)
            out.append(contentsOf: date)
            out.append(contentsOf: [13, 10])
        }
        out.append(contentsOf: [13, 10])
    }

    static func isFramingHeader(_ name: String) -> Bool {
        switch name.utf8.count {
        case 10: return name.equalsIgnoringASCIICase("connection")
        case 14: return name.equalsIgnoringASCIICase("content-length")
        case 17: return name.equalsIgnoringASCIICase("transfer-encoding")
        default: return false
        }
    }

    /// A handler must not be able to split the response with CR/LF in a value.
    @inline(__always)
    static func appendSanitized(_ value: String, to out: inout [UInt8]) {
        for c in value.utf8 { out.append(c == 13 || c == 10 || c == 0 ? 32 : c) }
    }

    static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        if n == 0 { out.append(48); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = n
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 { d[count] = UInt8(48 + v % 10); v /= 10; count += 1 }
            for k in stride(from: count - 1, through: 0, by: -1) { out.append(d[k]) }
        }
    }

    static func chunkHeader(_ size: Int, into out: inout [UInt8]) {
        let hex = String(size, radix: 16)
        out.append(contentsOf: hex.utf8)
        out.append(contentsOf: [13, 10])
    }

    private static let commonStatusLines: [Int: [UInt8]] = {
        var table: [Int: [UInt8]] = [:]
        for code in HTTPStatus.reasons.keys {
            table[code] = Array("HTTP/1.1 \(code) \(HTTPStatus(code).reason)\r\n".utf8)
        }
        return table
    }()

    static func statusLine(_ status: HTTPStatus) -> [UInt8] {
        commonStatusLines[status.code] ?? Array("HTTP/1.1 \(status.code) \(status.reason)\r\n".utf8)
    }
}
