import ArgumentParser
import Foundation
import Store

/// `--data-dir`, shared by every command that touches Warden's database.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory for the database and Warden's own files.")
    var path: String = "./warden-data"

    @Option(name: .customLong("sqlite-synchronous"),
            help: "full (default: a write that returned survives power loss) or normal (faster; survives a crash of warden, not of the machine).")
    var synchronous: String = "full"

    func validate() throws {
        guard Database.Configuration.Synchronous(rawValue: synchronous.uppercased()) != nil else {
            throw ValidationError("--sqlite-synchronous must be 'full' or 'normal'.")
        }
    }

    var url: URL { URL(fileURLWithPath: path).standardizedFileURL }

    /// Creates the directory (0700: it will hold keys) if needed.
    func prepare() throws -> URL {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return url
    }

    func openDatabase() throws -> Database {
        _ = try prepare()
        var configuration = Database.Configuration()
        configuration.synchronous = Database.Configuration.Synchronous(rawValue: synchronous.uppercased()) ?? .full
        return try Database(path: url.appendingPathComponent("warden.db").path, configuration: configuration,
                            migrations: WardenSchema.migrations)
    }
}
