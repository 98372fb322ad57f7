/// Seals secrets warden must read back, unlike API keys, which it only hashes: a webhook's
/// signing secret is needed for every signature. The credential vault implements it with the
/// master key (AES-256-GCM). The core and the webhooks module see only this protocol, so they
/// need not depend on the credential proxy.
public protocol SecretSealer: Sendable {
    /// `id` and `name` are authenticated with the ciphertext, so a sealed value copied onto
    /// another row fails to open.
    func seal(bytes: [UInt8], id: String, name: String) throws -> (nonce: [UInt8], ciphertext: [UInt8])

    /// The plaintext, or an error when the ciphertext does not authenticate (a wrong key or an
    /// altered row); never bytes that failed authentication.
    func open(nonce: [UInt8], ciphertext: [UInt8], id: String, name: String) throws -> [UInt8]
}
