import COpenSSL

/// AES-256-GCM through OpenSSL's EVP interface: 12-byte nonce, 16-byte tag appended to the
/// ciphertext, additional authenticated data bound in.
enum AESGCM {
    static let nonceSize = 12
    static let tagSize = 16

    /// Returns ciphertext followed by the tag.
    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8]) throws(VaultError) -> [UInt8] {
        precondition(key.count == 32 && nonce.count == nonceSize)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .crypto(operation: "allocate a cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceSize), nil) == 1,
              EVP_EncryptInit_ex(ctx, nil, nil, key, nonce) == 1 else { throw .crypto(operation: "initialise AES-256-GCM") }
        var length: Int32 = 0
        if !aad.isEmpty {
            guard EVP_EncryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1 else {
                throw .crypto(operation: "authenticate associated data")
            }
        }
        // GCM is a stream mode: the ciphertext is exactly as long as the plaintext.
        var out = [UInt8](repeating: 0, count: plaintext.count + tagSize)
        var produced = 0
        let updated = out.withUnsafeMutableBufferPointer { buffer -> Bool in
            if !plaintext.isEmpty {
                guard EVP_EncryptUpdate(ctx, buffer.baseAddress, &length, plaintext, Int32(plaintext.count)) == 1 else { return false }
                produced = Int(length)
            }
            guard EVP_EncryptFinal_ex(ctx, buffer.baseAddress! + produced, &length) == 1 else { return false }
            produced += Int(length)
            return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagSize), buffer.baseAddress! + produced) == 1
        }
        guard updated, produced == plaintext.count else { throw .crypto(operation: "encrypt") }
        return out
    }

    /// The plaintext, or nil if the tag does not verify: wrong key, wrong AAD or altered bytes.
    static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8]) throws(VaultError) -> [UInt8]? {
        precondition(key.count == 32)
        guard nonce.count == nonceSize, sealed.count >= tagSize else { return nil }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .crypto(operation: "allocate a cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceSize), nil) == 1,
              EVP_DecryptInit_ex(ctx, nil, nil, key, nonce) == 1 else { throw .crypto(operation: "initialise AES-256-GCM") }
        var length: Int32 = 0
        if !aad.isEmpty {
            guard EVP_DecryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1 else {
                throw .crypto(operation: "authenticate associated data")
            }
        }
        let ciphertextCount = sealed.count - tagSize
        var tag = Array(sealed[ciphertextCount...])
        var out = [UInt8](repeating: 0, count: ciphertextCount)
        let verified = out.withUnsafeMutableBufferPointer { buffer -> Bool in
            if ciphertextCount > 0 {
                let decrypted = sealed.withUnsafeBufferPointer { input in
                    EVP_DecryptUpdate(ctx, buffer.baseAddress, &length, input.baseAddress, Int32(ciphertextCount))
                }
                guard decrypted == 1 else { return false }
            }
            guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), &tag) == 1 else { return false }
            // Final is where GCM compares tags; a mismatch returns 0 and no plaintext may be used.
            var scratch = [UInt8](repeating: 0, count: 16)
            return EVP_DecryptFinal_ex(ctx, &scratch, &length) == 1
        }
        guard verified else {
            for i in out.indices { out[i] = 0 }
            return nil
        }
        return out
    }
}
