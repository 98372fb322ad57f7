import Testing
@testable import HTTP

/// The response head: framing is the server's, the rest is the handler's, and each header
/// the server adds appears once.
@Suite struct ResponseSerializerTests {
    func head(_ headers: HTTPHeaders) -> [String] {
        var out: [UInt8] = []
        ResponseSerializer.head(status: .ok, headers: headers, framing: .length(2), keepAlive: true, version: .http1_1,
                                requestID: "req_1", date: Array("Sun, 06 Dec 2026 22:00:00 GMT".utf8), into: &out)
        return String(decoding: out, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }

    @Test func theServerDatesAResponseThatHasNoDate() {
        #expect(head([:]).filter { $0.hasPrefix("Date:") } == ["Date: Sun, 06 Dec 2026 22:00:00 GMT"])
    }

    /// A proxied response keeps the origin's Date (RFC 9110 §6.6.1); a second one would be invalid.
    @Test func aDateFromTheHandlerIsKeptAndNotRepeated() {
        let lines = head(["date": "Sat, 05 Dec 2026 10:00:00 GMT", "Content-Length": "99"])
        #expect(lines.filter { $0.lowercased().hasPrefix("date:") } == ["date: Sat, 05 Dec 2026 10:00:00 GMT"])
        #expect(lines.filter { $0.lowercased().hasPrefix("content-length:") } == ["Content-Length: 2"])
        #expect(lines.first == "HTTP/1.1 200 OK")
    }
}
