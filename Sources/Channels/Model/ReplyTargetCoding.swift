import Foundation

/// A `ReplyTarget` as the JSON text the store keeps (`channel_threads.reply_target`, the outbox
/// payloads): the Store and the Core keep it as text and never look inside.
public enum ReplyTargetCoding {
    public static func encode(_ target: ReplyTarget) -> String {
        // Encoding plain strings and optionals cannot fail.
        String(decoding: (try? JSONEncoder().encode(target)) ?? Data(), as: UTF8.self)
    }

    public static func decode(_ text: String) -> ReplyTarget? {
        try? JSONDecoder().decode(ReplyTarget.self, from: Data(text.utf8))
    }
}
