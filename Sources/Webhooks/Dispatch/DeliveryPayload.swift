import Core
import Store

/// The body of a delivery, in the Standard Webhooks shape: `{"type", "timestamp", "data"}`,
/// where `data` is the resource the event is about (a run or an approval) exactly as the event
/// stream carries it, and `timestamp` is when the event happened.
enum DeliveryPayload {
    static func json(for event: EventRecord) -> String {
        var w = JSONWriter(capacity: event.data.utf8.count + 100)
        w.objectStart()
        w.key("type", event.type); w.key("timestamp", event.createdAt); w.key("data", raw: event.data)
        w.objectEnd()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
