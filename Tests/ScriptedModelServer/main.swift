// A scripted model server for tests and benchmarks:
//   scripted-model --listen HOST:PORT|unix:PATH --script FILE.json
// Prints the bound address on the first line of stdout, then serves until SIGTERM or SIGINT.
// The script format is documented on `ModelScript.init(json:)`.
import Foundation
import HTTP
import ScriptedModel

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("scripted-model: \(message)\nusage: scripted-model --listen HOST:PORT|unix:PATH --script FILE.json\n".utf8))
    exit(2)
}

var listen: SocketAddress = .tcp(host: "127.0.0.1", port: 0)
var scriptPath: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--listen":
        guard let value = arguments.popFirst() else { fail("--listen needs an address") }
        do { listen = try SocketAddress(parsing: value) } catch { fail(error.description) }
    case "--script":
        guard let value = arguments.popFirst() else { fail("--script needs a file") }
        scriptPath = value
    case "--help", "-h":
        print("usage: scripted-model --listen HOST:PORT|unix:PATH --script FILE.json")
        exit(0)
    default:
        fail("unknown argument '\(argument)'")
    }
}

let script: ModelScript
if let scriptPath {
    guard let data = FileManager.default.contents(atPath: scriptPath) else { fail("cannot read \(scriptPath)") }
    do { script = try ModelScript(json: data) } catch { fail("\(scriptPath): \(error.description)") }
} else {
    script = ModelScript([]) // answers "ok" to everything
}

let server: ScriptedModelServer
do { server = try ScriptedModelServer.start(script: script, listen: listen) } catch { fail("cannot listen on \(listen): \(error)") }
// One write, unbuffered: the parent reads this line as soon as the server listens.
FileHandle.standardOutput.write(Data((server.address.description + "\n").utf8))

signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
signal(SIGPIPE, SIG_IGN)
let signals = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
    source.setEventHandler {
        Task {
            await server.stop()
            exit(0)
        }
    }
    source.resume()
    return source
}
withExtendedLifetime(signals) { dispatchMain() }
