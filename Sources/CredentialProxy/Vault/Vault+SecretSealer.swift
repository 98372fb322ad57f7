import Core

/// The vault seals more than credentials: webhook signing secrets too, with the same master
/// key, each bound to its owner's id and name like a credential is.
extension Vault: SecretSealer {
    public func seal(bytes: [UInt8], id: String, name: String) throws -> (nonce: [UInt8], ciphertext: [UInt8]) {
        let sealed = try seal(Secret(bytes), id: id, name: name)
        return (sealed.nonce, sealed.ciphertext)
    }

    public func open(nonce: [UInt8], ciphertext: [UInt8], id: String, name: String) throws -> [UInt8] {
        try open(SealedSecret(nonce: nonce, ciphertext: ciphertext), id: id, name: name).bytes
    }
}
