/// A credential with this name exists; `CredentialStore.create` changed nothing.
public struct CredentialNameTaken: Error, Sendable, Equatable {
    public let name: String
}
