@testable import CredentialProxy
import HTTP
import Testing

@Suite("Hop-by-hop headers")
struct HopByHopTests {
    @Test func connectionHeadersAndTheOnesTheyNameAreDropped() {
        let headers: HTTPHeaders = [
            "Connection": "keep-alive, X-Session-Hint", "X-Session-Hint": "1", "Keep-Alive": "timeout=5",
            "Proxy-Authorization": "Basic x", "Proxy-Foo": "y", "TE": "trailers", "Trailer": "X-T",
            "Transfer-Encoding": "chunked", "Upgrade": "h2c", "Content-Type": "application/json", "X-Kept": "yes",
        ]
        let kept = HopByHop.stripped(headers).map(\.name)
        #expect(kept == ["Content-Type", "X-Kept"])
    }
}
