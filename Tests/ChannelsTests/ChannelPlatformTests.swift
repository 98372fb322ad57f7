import Channels
import Testing

@Suite struct ChannelPlatformTests {
    @Test func namesInPathsAreTheRawValues() {
        #expect(ChannelPlatform(name: "slack") == .slack)
        #expect(ChannelPlatform(name: "Google_Chat") == .googleChat)
        #expect(ChannelPlatform(name: "googlechat") == nil)
        #expect(ChannelPlatform(name: "") == nil)
        #expect(ChannelPlatform.allCases.count == 8)
    }
}
