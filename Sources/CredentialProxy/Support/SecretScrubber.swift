/// Replaces a secret in a byte stream that arrives in chunks. A chunk boundary may fall inside
/// the secret, so the tail of a chunk that could be the start of it is held back until the next
/// chunk decides. Only such a tail is held: text that cannot begin the secret (an SSE event's
/// closing blank line, say) goes out at once, so streaming is not delayed.
struct SecretScrubber {
    static let replacement: [UInt8] = Array("[REDACTED]".utf8)
    private let secret: [UInt8]
    private var held: [UInt8] = []

    init(_ secret: Secret) {
        precondition(!secret.isEmpty, "an empty secret cannot be scrubbed")
        self.secret = secret.bytes
    }

    /// What may be passed on after `chunk`.
    mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        let input = held.isEmpty ? chunk : held + chunk
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        let first = secret[0]
        var i = 0
        while i < input.count {
            // Copy up to the next byte that could start the secret.
            guard let next = input[i...].firstIndex(of: first) else {
                out.append(contentsOf: input[i...])
                i = input.count
                break
            }
            out.append(contentsOf: input[i..<next])
            i = next
            let available = min(secret.count, input.count - i)
            if input[i..<(i + available)].elementsEqual(secret[..<available]) {
                if available == secret.count {
                    out.append(contentsOf: Self.replacement)
                    i += secret.count
                    continue
                }
                break // the rest of the input is a prefix of the secret: hold it
            }
            out.append(input[i])
            i += 1
        }
        held = Array(input[i...])
        return out
    }

    /// The bytes still held when the stream ends: too short to be the secret.
    mutating func finish() -> [UInt8] {
        defer { held = [] }
        return held
    }

    /// `text` with every occurrence of the secret replaced.
    static func scrub(_ text: String, secret: Secret) -> String {
        var scrubber = SecretScrubber(secret)
        let bytes = scrubber.feed(Array(text.utf8)) + scrubber.finish()
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension SecretScrubber {
    /// `text` with every one of `secrets` (and its base64 form) replaced.
    static func scrub(_ text: String, secrets: [Secret]) -> String {
        secrets.reduce(text) { scrub($0, secret: $1) }
    }
}

/// Several `SecretScrubber`s in a row, for a body that must be clean of more than one secret.
struct MultiSecretScrubber {
    private var scrubbers: [SecretScrubber]

    init(_ secrets: [Secret]) { scrubbers = secrets.map(SecretScrubber.init) }

    mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        var bytes = chunk
        for index in scrubbers.indices { bytes = scrubbers[index].feed(bytes) }
        return bytes
    }

    /// Each scrubber's held tail goes through the scrubbers after it before they finish.
    mutating func finish() -> [UInt8] {
        var bytes: [UInt8] = []
        for index in scrubbers.indices {
            bytes = scrubbers[index].feed(bytes) + scrubbers[index].finish()
        }
        return bytes
    }
}
