import ArgumentParser
import Core
import Foundation
import Logging

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key and print it. It is shown only this once.")

        @Option(help: "admin, operator, approver or client.")
        var role: String

        @Option(help: "A name to recognise the key by.")
        var name: String = ""

        @OptionGroup var data: DataDirectoryOption

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of: admin, operator, approver, client.")
            }
        }

        func run() throws {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: .warning) }
            let database = try data.openDatabase()
            defer { database.closeSync() }
            let core = WardenCore(database: database)
            let (key, secret) = try core.createKeySync(role: Role(rawValue: role)!, name: name, createdBy: "cli")
            print(secret)
            FileHandle.standardError.write(Data("created \(key.id) (\(key.role)); store the key now, it is not shown again\n".utf8))
        }
    }
}
