// Hummingbird 2 hello-world used as the Swift anchor in bench/http.sh.
// Usage: hb-anchor [PORT]   (or PORT=... in the environment; default 8082)
// Serves GET /healthz -> 200 "ok" (text/plain) on 127.0.0.1.
import Foundation
import Hummingbird

let args = CommandLine.arguments
let portString = args.count > 1 ? args[1] : (ProcessInfo.processInfo.environment["PORT"] ?? "8082")
guard let port = Int(portString), (1...65535).contains(port) else {
    FileHandle.standardError.write("hb-anchor: invalid port '\(portString)'\n".data(using: .utf8)!)
    exit(2)
}

let router = Router()
router.get("/healthz") { _, _ -> Response in
    Response(
        status: .ok,
        headers: [.contentType: "text/plain"],
        body: .init(byteBuffer: ByteBuffer(string: "ok"))
    )
}

let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil)
)
try await app.runService()
