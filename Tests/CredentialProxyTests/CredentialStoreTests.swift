import Core
@testable import CredentialProxy
import Foundation
import Store
import Testing

@Suite("Credentials: store")
struct CredentialStoreTests {
    static let secret = Secret("ghp_THIS-IS-THE-REAL-TOKEN-4242")

    static func github(hosts: [String] = ["api.github.com", "*.githubusercontent.com"]) -> CredentialSpec {
        CredentialSpec(name: "github", hosts: hosts, pathPrefix: "/repos",
                       inject: CredentialInjection(header: "Authorization", template: "Bearer {secret}"),
                       placeholder: "ghp_placeholder")
    }

    @Test func putListUnsealAndDelete() async throws {
        try await VaultHarness.with { h in
            let created = try await h.store.put(Self.github(), secret: Self.secret, actor: "key_admin")
            #expect(created.name == "github")
            #expect(created.hosts == ["api.github.com", "*.githubusercontent.com"])
            #expect(IDGenerator.isValid(created.id, kind: .credential))

            #expect(try await h.store.list() == [created])
            let unsealed = try #require(try await h.store.unseal(name: "github"))
            #expect(unsealed.secret == Self.secret)
            #expect(unsealed.headerValue == Secret("Bearer ghp_THIS-IS-THE-REAL-TOKEN-4242"))

            try await h.store.delete(name: "github", actor: "key_admin")
            #expect(try await h.store.list().isEmpty)
            #expect(try await h.store.unseal(name: "github") == nil)
            await #expect(throws: CoreError.notFound(kind: "credential", id: "github")) {
                try await h.store.delete(name: "github", actor: "key_admin")
            }
            let kinds = try await h.core.read { db in
                try AuditRepository(db).list(session: nil, kind: nil, page: PageRequest(limit: 10, descending: false)).items
            }.map(\.kind)
            #expect(kinds == ["credential.created", "credential.deleted"])
        }
    }

    @Test func replacingKeepsTheIdAndSealsTheNewSecret() async throws {
        try await VaultHarness.with { h in
            let first = try await h.store.put(Self.github(), secret: Self.secret, actor: nil)
            let second = try await h.store.put(Self.github(hosts: ["github.example.com"]), secret: Secret("new-token"), actor: nil)
            #expect(second.id == first.id)
            #expect(second.createdAt == first.createdAt)
            #expect(second.hosts == ["github.example.com"])
            #expect(try await h.store.list().count == 1)
            #expect(try await h.store.unseal(name: "github")?.secret == Secret("new-token"))
            #expect(try await h.audit(kind: "credential.replaced").count == 1)
        }
    }

    @Test func createRefusesATakenNameAndChangesNothing() async throws {
        try await VaultHarness.with { h in
            let first = try await h.store.create(Self.github(), secret: Self.secret, actor: nil)
            await #expect(throws: CredentialNameTaken(name: "github")) {
                try await h.store.create(Self.github(hosts: ["github.example.com"]), secret: Secret("new-token"), actor: nil)
            }
            #expect(try await h.store.list().map(\.id) == [first.id])
            #expect(try await h.store.unseal(name: "github")?.secret == Self.secret)
            #expect(try await h.store.find(name: "github")?.hosts == first.hosts)
            #expect(try await h.audit(kind: "credential.replaced").isEmpty)
        }
    }

    @Test func credentialsForAHostMatchExactNamesWildcardsAndPathPrefixes() async throws {
        try await VaultHarness.with { h in
            try await h.store.put(Self.github(), secret: Self.secret, actor: nil)
            try await h.store.put(CredentialSpec(name: "wide", hosts: ["*.github.com"],
                                                 inject: CredentialInjection(header: "X-Token", template: "{secret}")),
                                  secret: Secret("w"), actor: nil)
            #expect(try await h.store.credentials(forHost: "API.GitHub.com", path: "/repos/a/b").map(\.name) == ["github", "wide"])
            #expect(try await h.store.credentials(forHost: "api.github.com", path: "/repos").map(\.name) == ["github", "wide"])
            #expect(try await h.store.credentials(forHost: "api.github.com", path: "/repository").map(\.name) == ["wide"])
            #expect(try await h.store.credentials(forHost: "raw.githubusercontent.com", path: "/repos/x").map(\.name) == ["github"])
            #expect(try await h.store.credentials(forHost: "githubusercontent.com", path: "/repos/x").isEmpty,
                    "*.suffix does not cover the suffix itself")
            #expect(try await h.store.credentials(forHost: "evilgithubusercontent.com", path: "/repos/x").isEmpty)
            #expect(try await h.store.credentials(forHost: "github.com", path: "/").isEmpty)
        }
    }

    @Test func invalidSpecsAndSecretsAreRefusedWithTheField() async throws {
        try await VaultHarness.with { h in
            let inject = CredentialInjection(header: "Authorization", template: "Bearer {secret}")
            await Self.refused(h.store, CredentialSpec(name: "", hosts: ["a.com"], inject: inject), param: "name")
            await Self.refused(h.store, CredentialSpec(name: "has space", hosts: ["a.com"], inject: inject), param: "name")
            await Self.refused(h.store, CredentialSpec(name: "n", hosts: [], inject: inject), param: "hosts")
            await Self.refused(h.store, CredentialSpec(name: "n", hosts: ["https://a.com"], inject: inject), param: "hosts")
            await Self.refused(h.store, CredentialSpec(name: "n", hosts: ["a.com:443"], inject: inject), param: "hosts")
            await Self.refused(h.store, CredentialSpec(name: "n", hosts: ["*"], inject: inject), param: "hosts")
            await Self.refused(h.store, CredentialSpec(name: "n", hosts: ["a.com"], pathPrefix: "v1", inject: inject), param: "path_prefix")
            await Self.refused(h.store, CredentialSpec(name: "n", hosts: ["a.com"], inject: CredentialInjection(header: "Bad Header", template: "{secret}")),
                          param: "inject.header")
            await Self.refused(h.store, CredentialSpec(name: "n", hosts: ["a.com"], inject: CredentialInjection(header: "Connection", template: "{secret}")),
                          param: "inject.header")
            await Self.refused(h.store, CredentialSpec(name: "n", hosts: ["a.com"], inject: CredentialInjection(header: "X-Key", template: "no marker")),
                          param: "inject.template")
            await Self.refused(h.store, CredentialSpec(name: "n", hosts: ["a.com"], inject: inject), secret: Secret(""), param: "secret")
            await Self.refused(h.store, CredentialSpec(name: "n", hosts: ["a.com"], inject: inject), secret: Secret("tok\r\nX-Evil: 1"), param: "secret")
            let stored = try await h.store.list()
            #expect(stored.isEmpty, "nothing was stored")
        }
    }

    static func refused(_ store: CredentialStore, _ spec: CredentialSpec, secret: Secret = Secret("s"), param: String) async {
        do {
            try await store.put(spec, secret: secret, actor: nil)
            Issue.record("accepted an invalid \(param)")
        } catch let CoreError.invalid(got, code, _) {
            #expect(got == param)
            #expect(code == "invalid_credential")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func theDatabaseFilesNeverHoldTheSecret() async throws {
        try await VaultHarness.with { h in
            try await h.store.put(Self.github(), secret: Self.secret, actor: nil)
            try await h.store.storeModelKey(provider: .anthropic, secret: Secret("sk-ant-api03-MODEL-KEY-abcdef"))
            _ = try await h.store.unseal(name: "github")
            func filesContain(_ needle: String) throws -> Bool {
                let names = try FileManager.default.contentsOfDirectory(atPath: h.directory).filter { $0.hasPrefix("warden.db") }
                #expect(names.contains("warden.db"))
                return try names.contains { name in
                    Array(try Data(contentsOf: URL(fileURLWithPath: h.directory + "/" + name))).containsBytes(Array(needle.utf8))
                }
            }
            // The probe works: the (non-secret) name is there in the clear.
            #expect(try filesContain("githubusercontent"))
            #expect(try !filesContain("THIS-IS-THE-REAL-TOKEN"))
            #expect(try !filesContain("MODEL-KEY"))
            await h.database.close()
            #expect(try !filesContain("THIS-IS-THE-REAL-TOKEN"), "nor after the WAL is checkpointed")
            #expect(try !filesContain("MODEL-KEY"))
        }
    }

    @Test func aRowWhoseSecretWasSwappedWithAnotherRowsFailsToOpen() async throws {
        try await VaultHarness.with { h in
            try await h.store.put(Self.github(), secret: Self.secret, actor: nil)
            try await h.store.put(CredentialSpec(name: "attacker", hosts: ["evil.example"],
                                                 inject: CredentialInjection(header: "X-Key", template: "{secret}")),
                                  secret: Secret("nothing"), actor: nil)
            // Someone with write access to the database copies github's ciphertext onto the row
            // whose host they control, hoping warden injects the token there.
            try await h.core.write { tx in
                _ = try tx.db.execute("""
                    UPDATE credentials SET nonce = (SELECT nonce FROM credentials WHERE name = 'github'),
                                           ciphertext = (SELECT ciphertext FROM credentials WHERE name = 'github')
                    WHERE name = 'attacker'
                    """)
            }
            await #expect(throws: VaultError.masterKeyMismatch(credential: "attacker", source: .provided)) {
                try await h.store.unseal(name: "attacker")
            }
            #expect(try await h.store.unseal(name: "github")?.secret == Self.secret)
            await #expect(throws: VaultError.self) { try await h.store.verifyVault() }
        }
    }

    @Test func aVaultOpenedWithAnotherKeyReportsTheMismatchAtVerification() async throws {
        let directory = try makeTemporaryDirectory("reopen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/warden.db"
        do {
            let database = try Database(path: path, configuration: .init(logger: quietLogger), migrations: WardenSchema.migrations)
            let store = CredentialStore(core: WardenCore(database: database, logger: quietLogger), vault: Vault(masterKey: .random()))
            try await store.put(Self.github(), secret: Self.secret, actor: nil)
            #expect(try await store.verifyVault() == 1)
            await database.close()
        }
        let database = try Database(path: path, configuration: .init(logger: quietLogger), migrations: WardenSchema.migrations)
        let store = CredentialStore(core: WardenCore(database: database, logger: quietLogger),
                                    vault: Vault(masterKey: .random(), source: .environment))
        await #expect(throws: VaultError.masterKeyMismatch(credential: "github", source: .environment)) {
            try await store.verifyVault()
        }
        await database.close()
    }

    @Test func modelKeysAreStoredUnderTheirProviderNames() async throws {
        try await VaultHarness.with { h in
            let stored = try await h.store.storeModelKeys(from: ["ANTHROPIC_API_KEY": "sk-ant-1\n", "OPENAI_API_KEY": "sk-oa-2",
                                                                 "OTHER": "x"])
            #expect(stored == [.anthropic, .openai])
            let anthropic = try #require(try await h.store.unseal(name: "model:anthropic"))
            #expect(anthropic.secret == Secret("sk-ant-1"), "the trailing newline of an env file is not part of the key")
            #expect(anthropic.credential.inject == CredentialInjection(header: "x-api-key", template: "{secret}"))
            #expect(anthropic.credential.hosts == ["api.anthropic.com"])
            let openai = try #require(try await h.store.unseal(name: "model:openai"))
            #expect(openai.headerValue == Secret("Bearer sk-oa-2"))

            // A restart with the same keys writes nothing; a changed key replaces the old one.
            try await h.store.storeModelKeys(from: ["ANTHROPIC_API_KEY": "sk-ant-1", "OPENAI_API_KEY": "sk-oa-3"])
            #expect(try await h.audit(kind: "credential.created").count == 2)
            #expect(try await h.audit(kind: "credential.replaced").map { JSONValue.decode($0.detail) }
                    == [.object(["name": .string("model:openai"), "hosts": .array([.string("api.openai.com")])])])
            #expect(try await h.store.unseal(name: "model:openai")?.secret == Secret("sk-oa-3"))
        }
    }
}
