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
}

/// Reads the `paths` of openapi.yaml: path keys at two spaces, operations at four. The document
/// is written in that shape on purpose, so this needs no YAML library.
struct OpenAPIDocument {
    let operations: Set<String>

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
        var found = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line.hasPrefix("paths:"); continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path = currentPath {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if line.hasSuffix(":"), methods.contains(String(key)) { found.insert("\(key.uppercased()) \(path)") }
            }
        }
        operations = found
    }
}
