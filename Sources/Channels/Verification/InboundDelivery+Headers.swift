extension InboundDelivery {
    /// The first value of `name`, or `.headerMissing` when the request has none. Verifiers check
    /// the raw `body` bytes, never a re-encoding: any re-serialisation changes what was signed.
    func requiredHeader(_ name: String) throws(VerificationFailure) -> String {
        guard let value = headers[name] else { throw .headerMissing(header: name) }
        return value
    }
}
