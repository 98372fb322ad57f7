import Foundation
import HTTP

/// A request the scripted model received, for tests to assert on.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    /// The body as a JSON object, if it is one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}
