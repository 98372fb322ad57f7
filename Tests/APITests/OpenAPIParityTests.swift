import Foundation
import HTTP
import Logging
import Store
import Core
import Testing
@testable import API

/// openapi.yaml must describe exactly the routes the server has (SPEC §3).
@Suite struct OpenAPIParityTests {
    @Test func documentAndRouterAgree() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warden-openapi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = try Database(path: dir.appendingPathComponent("w.db").path, migrations: WardenSchema.migrations)
        defer { database.closeSync() }
        let router = APIRouter.make(core: WardenCore(database: database), logger: Logger(label: "test"))

        let served = Set(router.routes.map { "\($0.method) \($0.template)" })
        let documented = try OpenAPIDocument.load().operations
        #expect(!documented.isEmpty)
        let undocumented = served.subtracting(documented).sorted()
        let unserved = documented.subtracting(served).sorted()
        #expect(undocumented.isEmpty, "routes missing from openapi.yaml: \(undocumented)")
        #expect(unserved.isEmpty, "openapi.yaml documents routes the server lacks: \(unserved)")
    }

    /// The operations documented with `security: []` are exactly those the server serves without
    /// an API key; every other one answers 401 `missing_api_key` without one, before it looks at
    /// anything else.
    @Test func documentAndRouterAgreeOnAuthentication() async throws {
        let document = try OpenAPIDocument.load()
        #expect(document.unauthenticated.contains("GET /healthz"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warden-openapi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = try Database(path: dir.appendingPathComponent("w.db").path, migrations: WardenSchema.migrations)
        let router = APIRouter.make(core: WardenCore(database: database), logger: Logger(label: "test"))

        for route in router.routes {
            let path = route.template.replacingOccurrences(of: #"\{[^}/]+\}"#, with: "x", options: .regularExpression)
            let request = Request(method: route.method, target: .origin(path: path, query: nil),
                                  headers: ["Host": "localhost", "Content-Type": "application/json"],
                                  body: Array("{}".utf8), requestID: "req_test")
            let response: Response
            switch router.handle(request) {
            case .response(let r): response = r
            case .async(let body): response = await body()
            }
            var wantsKey = false
            if response.status.code == 401, case .bytes(let bytes) = response.body {
                wantsKey = String(decoding: bytes, as: UTF8.self).contains(#""code":"missing_api_key""#)
            }
            let operation = "\(route.method) \(route.template)"
            if document.unauthenticated.contains(operation) {
                #expect(!wantsKey, "\(operation) is documented with `security: []` but wants an API key")
            } else {
                #expect(wantsKey, "\(operation) answered \(response.status.code), not 401 missing_api_key, without an API key")
            }
        }
        await database.close()
    }
}

/// Reads the `paths` of openapi.yaml: path keys at two spaces, operations at four, and an
/// operation's own `security: []` at six. The document is written in that shape on purpose, so
/// this needs no YAML library.
struct OpenAPIDocument {
    let operations: Set<String>
    /// Operations documented with `security: []`.
    let unauthenticated: Set<String>

    static func load() throws -> OpenAPIDocument {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("openapi.yaml")
            if FileManager.default.fileExists(atPath: candidate.path) {
                return OpenAPIDocument(text: try String(contentsOf: candidate, encoding: .utf8))
            }
        }
        throw CocoaError(.fileNoSuchFile)
    }

    init(text: String) {
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        var inPaths = false
        var currentPath: String?
        var currentOperation: String?
        var found = Set<String>()
        var open = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line.hasPrefix("paths:"); continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
                currentOperation = nil
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path = currentPath {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if line.hasSuffix(":"), methods.contains(String(key)) {
                    currentOperation = "\(key.uppercased()) \(path)"
                    found.insert(currentOperation!)
                } else {
                    currentOperation = nil
                }
            } else if line.trimmingCharacters(in: .whitespaces) == "security: []", line.hasPrefix("      "),
                      !line.hasPrefix("       "), let operation = currentOperation {
                open.insert(operation)
            }
        }
        operations = found
        unauthenticated = open
    }
}
