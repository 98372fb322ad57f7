import Core
import CredentialProxy
import HTTP
import Store

struct CreateCredentialBody: Decodable {
    struct Inject: Decodable {
        var header: String
        var template: String
    }

    var name: String
    var hosts: [String]
    var path_prefix: String?
    var inject: Inject
    var placeholder: String?
    var secret: String
    /// `oauth_client_credentials` or `google_service_account`: the secret is exchanged for a token.
    var exchange: String?
    var exchange_settings: [String: String]?

    func spec() throws(CoreError) -> CredentialSpec {
        guard exchange != nil || exchange_settings == nil else {
            throw .invalid(param: "exchange", code: "invalid_credential", message: "exchange_settings needs exchange.")
        }
        return CredentialSpec(name: name, hosts: hosts, pathPrefix: path_prefix,
                              inject: CredentialInjection(header: inject.header, template: inject.template),
                              placeholder: placeholder,
                              exchange: try exchange.map { kind throws(CoreError) in
                                  try CredentialExchange(kind: kind, settings: exchange_settings ?? [:])
                              })
    }
}

/// A credential as the API shows it: where and how it is injected, never its secret.
struct CredentialObject: JSONWritable {
    let credential: Credential

    func write(to w: inout JSONWriter) {
        let c = credential
        w.objectStart()
        w.key("created_at", c.createdAt)
        w.key("exchange", c.exchange?.kind); w.key("exchange_settings", raw: c.exchange?.settingsJSON)
        w.key("hosts", c.hosts); w.key("id", c.id)
        w.key("inject"); w.objectStart(); w.key("header", c.inject.header); w.key("template", c.inject.template); w.objectEnd()
        w.key("name", c.name); w.key("object", "credential"); w.key("path_prefix", c.pathPrefix)
        w.key("placeholder", c.placeholder)
        w.objectEnd()
    }
}

/// Credentials in the vault. The secret is write-only: it goes into `CredentialStore.put`,
/// which seals it, and comes out of no response, audit record or idempotency record.
enum CredentialRoutes {
    /// `model:anthropic`, `model:openai`, …: `warden serve` writes these from its environment at
    /// every start, so one made over the API would be overwritten (or shadow a provider's key).
    static let reservedPrefix = "model:"

    static func register(on router: inout Router, _ ctx: APIContext) {
        router.post("/v1/credentials", ctx.route(Access.adminOnly, "manage credentials") { request, principal in
            let store = try ctx.credentialStore()
            let body = try JSONBody.decode(CreateCredentialBody.self, from: request)
            guard !body.name.lowercased().hasPrefix(reservedPrefix) else {
                throw APIError.invalid("name", "Names starting with 'model:' are reserved for the model keys warden takes from its environment (ANTHROPIC_API_KEY, OPENAI_API_KEY).",
                                       code: "reserved_name")
            }
            let secret = Secret(body.secret)
            let idempotency = try CredentialIdempotency(request, principal, body: body)
            if let replay = try await idempotency?.replay(secret: secret, core: ctx.core, store: store) { return replay }
            let credential: Credential
            do {
                credential = try await store.create(try body.spec(), secret: secret, actor: principal.keyID)
            } catch let taken as CredentialNameTaken {
                throw HTTPError(.conflict, code: "credential_exists",
                                message: "A credential named '\(taken.name)' exists; delete it first (DELETE /v1/credentials/{id}) to replace it.",
                                param: "name")
            }
            let bytes = JSONCoding.encode(CredentialObject(credential: credential))
            try await idempotency?.remember(bytes, status: .created, core: ctx.core)
            return .json(bytes, status: .created)
        })
        router.get("/v1/credentials", ctx.route(Access.adminOnly, "manage credentials") { request, _ in
            let page = try Pagination.page(from: request)
            let all = try await ctx.credentialStore().list().map(CredentialObject.init)
            return Pagination.response(InMemoryPaging.page(all, page) { $0.credential.id }) { $0.credential.id }
        })
        router.delete("/v1/credentials/{id}", ctx.route(Access.adminOnly, "manage credentials") { request, principal in
            let store = try ctx.credentialStore()
            let id = request.parameters["id"]!
            // The store deletes by name; the API names credentials by id.
            guard let credential = try await store.list().first(where: { $0.id == id }) else {
                throw APIError.notFound("credential", id)
            }
            do {
                try await store.delete(name: credential.name, actor: principal.keyID)
            } catch CoreError.notFound {
                throw APIError.notFound("credential", id) // deleted by a concurrent request
            }
            return .json(JSONCoding.encode(DeletedObject(id: id, object: "credential")), status: .ok)
        })
    }
}

extension APIContext {
    /// The vault's credentials; `warden serve` always has them, a router built without a vault
    /// (some tests) answers 503.
    func credentialStore() throws -> CredentialStore {
        guard let credentials else {
            throw HTTPError(.serviceUnavailable, code: "vault_unavailable", message: "This server has no credential vault.")
        }
        return credentials
    }
}

/// Paging over a list that is read whole (the vault holds a handful of credentials), with the
/// semantics of the database's keyset pages.
enum InMemoryPaging {
    static func page<T: Sendable>(_ items: [T], _ page: PageRequest, id: (T) -> String) -> Page<T> {
        var ordered = items.map { (id: id($0), item: $0) }.sorted { $0.id < $1.id }
        if page.descending { ordered.reverse() }
        func isPast(_ itemID: String, _ cursor: String) -> Bool { page.descending ? itemID < cursor : itemID > cursor }
        if let before = page.before {
            let ahead = ordered.filter { $0.id != before && !isPast($0.id, before) }.map(\.item)
            return Page(items: Array(ahead.suffix(page.limit)), hasMore: ahead.count > page.limit)
        }
        if let after = page.after { ordered = ordered.filter { isPast($0.id, after) } }
        return Page(items: ordered.prefix(page.limit).map(\.item), hasMore: ordered.count > page.limit)
    }
}
