import ArgumentParser

@main
struct Warden: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "Runs AI agent sessions in locked-down containers, behind a credential proxy.",
        subcommands: [Serve.self, Keys.self, Approvals.self, Doctor.self]
    )
}
