import ArgumentParser
import Foundation
import HTTP

/// The running server's REST API, as CLI commands use it. Commands go through the server rather
/// than opening the database so that what they change reaches whatever waits in the server's
/// process (a decided approval releases the proxy request it holds).
struct ServerAPI {
    let server: ServerURL
    let key: String
    let client: HTTPClient

    /// Runs `body` with a client that lives only as long as it does.
    static func using<T>(_ options: ServerOptions, _ body: (ServerAPI) async throws -> T) async throws -> T {
        let server = try options.server()
        let key = try options.apiKey()
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = HTTPClient(group: group)
        defer { client.shutdown() }
        return try await body(ServerAPI(server: server, key: key, client: client))
    }

    /// `GET path?query`; the body of a 2xx answer. Query items without a value are left out.
    func get(_ path: String, query: [(String, String?)] = []) async throws -> [UInt8] {
        let pairs = query.compactMap { name, value in value.map { "\(name)=\(Self.encoded($0))" } }
        let target = pairs.isEmpty ? path : path + "?" + pairs.joined(separator: "&")
        return try await send(ClientRequest(method: "GET", target: server.pathPrefix + target))
    }

    /// `POST path` with `body` as JSON; the body of a 2xx answer.
    func post(_ path: String, json body: [String: Any]) async throws -> [UInt8] {
        let data = try JSONSerialization.data(withJSONObject: body)
        var request = ClientRequest(method: "POST", target: server.pathPrefix + path, body: Array(data))
        request.headers.set("Content-Type", "application/json")
        return try await send(request)
    }

    /// One path segment, e.g. an id typed by a person: encoded so it can only ever name one resource.
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// RFC 3986 unreserved characters; everything else is percent-encoded.
    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private func send(_ request: ClientRequest) async throws -> [UInt8] {
        var request = request
        request.headers.set("Authorization", "Bearer \(key)")
        request.headers.set("Accept", "application/json")
        let destination: ClientDestination = server.scheme == "https"
            ? .tls(.tcp(host: server.host, port: server.port), serverName: server.host)
            : .plain(.tcp(host: server.host, port: server.port))
        let response: ClientResponse
        do {
            response = try await client.execute(request, to: destination)
        } catch .connect(let cause) {
            throw CommandFailure.unreachable(server: server, reason: Self.reason(cause))
        } catch {
            throw CommandFailure.transport(server: server, reason: error.description)
        }
        guard (200..<300).contains(response.status.code) else {
            throw CommandFailure.refused(status: response.status.code, envelope: try? JSONDecoder().decode(
                ErrorEnvelope.self, from: Data(response.body)), body: response.bodyString)
        }
        return response.body
    }

    /// "Connection refused" and the like; for a name that did not resolve, getaddrinfo's own words
    /// (its SystemError carries them in the operation, with a placeholder errno).
    private static func reason(_ error: SystemError) -> String {
        error.operation.hasPrefix("getaddrinfo") ? error.operation : String(cString: strerror(error.errno))
    }
}

/// The API's error body: `{"error":{"type","code","message","param"},"request_id"}`.
struct ErrorEnvelope: Decodable {
    struct Detail: Decodable {
        let code: String
        let message: String
    }
    let error: Detail
}

/// Why a command could not do what was asked, worded for the person at the terminal.
enum CommandFailure: Error, CustomStringConvertible {
    /// The server answered, with a status other than 2xx.
    case refused(status: Int, envelope: ErrorEnvelope?, body: String)
    /// Nothing listens at the address (or it could not be resolved).
    case unreachable(server: ServerURL, reason: String)
    /// The connection was made but the exchange failed.
    case transport(server: ServerURL, reason: String)
    /// A 2xx answer that is not the JSON the command expects: a different server, or a mismatched version.
    case unexpectedAnswer(server: ServerURL, detail: String)

    var description: String {
        switch self {
        case .refused(let status, let envelope?, _):
            return "\(envelope.error.message) (\(envelope.error.code), HTTP \(status))"
        case .refused(let status, nil, let body):
            // Not Warden's envelope: a proxy in between, or not Warden at all. Show a little of what came.
            let excerpt = body.prefix(200).trimmingCharacters(in: .whitespacesAndNewlines)
            return "HTTP \(status)" + (excerpt.isEmpty ? "" : ": \(excerpt)")
        case .unreachable(let server, let reason):
            return "the server is not reachable at \(server) (\(reason)); start it with `warden serve`, or pass --url (or set WARDEN_URL)"
        case .transport(let server, let reason):
            return "the request to \(server) failed: \(reason)"
        case .unexpectedAnswer(let server, let detail):
            return "\(server) did not answer as a Warden server does: \(detail)"
        }
    }
}

extension AsyncParsableCommand {
    /// Runs `body`; a `CommandFailure` is printed as `error: …` on stderr and exits 1, without
    /// the usage text ArgumentParser would add, since the command line itself was fine.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
            throw ExitCode.failure
        }
    }
}
