@testable import Channels
import Core
import Testing

@Suite struct Base64URLTests {
    @Test func decodesWhatCoreEncodes() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            #expect(Base64URL.decode(Crypto.base64URL(bytes)) == bytes)
        }
    }

    @Test func decodesTheRFC7515Example() {
        // RFC 7515 §3.3: the JOSE header of its HS256 example.
        let header = Base64URL.decode("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9")
        #expect(header.map { String(decoding: $0, as: UTF8.self) } == "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}")
    }

    @Test func refusesOtherSpellings() {
        #expect(Base64URL.decode("ab+/") == nil)       // standard alphabet
        #expect(Base64URL.decode("YQ==") == nil)       // padding
        #expect(Base64URL.decode("Y Q") == nil)        // whitespace
        #expect(Base64URL.decode("YWJjZ") == nil)      // a lone trailing character
        #expect(Base64URL.decode("YR") == nil)         // non-zero leftover bits
        #expect(Base64URL.decode("YQ") == [0x61])
    }
}
