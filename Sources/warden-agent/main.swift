// The in-container agent; see docs/agent-protocol.md. No argument parser: the environment is
// the whole configuration, and the binary stays small.
import Agent
import Foundation

let usage = """
    usage: warden-agent [--version | --help]

    Runs inside a Warden session container: relays 127.0.0.1:3128 to the credential proxy and
    works on the session's runs. Configured by the environment:
      WARDEN_AGENT_SOCKET   warden's agent socket (default /run/warden/agent.sock)
      WARDEN_PROXY_SOCKET   the credential proxy's socket (default /run/warden/proxy.sock)
      ANTHROPIC_API_KEY, OPENAI_API_KEY   placeholders the proxy replaces
      WARDEN_WORKSPACE      the tools' working directory (default /workspace)
      WARDEN_RELAY_LISTEN   the relay's address (default 127.0.0.1:3128; "off" for none)
      WARDEN_BASH_TIMEOUT   default bash timeout in seconds (default 120)
      WARDEN_POLL_WAIT      seconds each work long-poll may wait (1-60, default 30)
    """

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "--version":
    print("warden-agent \(WardenAgent.version)")
    exit(0)
case "--help", "-h":
    print(usage)
    exit(0)
case nil:
    break
default:
    FileHandle.standardError.write(Data("warden-agent: unknown argument '\(arguments[0])'\n\(usage)\n".utf8))
    exit(2)
}

// Writes to a peer that went away must fail with EPIPE, not kill the agent.
signal(SIGPIPE, SIG_IGN)

let configuration: AgentConfiguration
do {
    configuration = try AgentConfiguration(environment: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write(Data("warden-agent: \(error)\n".utf8))
    exit(2)
}

// As PID 1 of a container, a signal without a handler is ignored: handle the ones `docker stop`
// and Ctrl-C send, and take the running commands down with the agent.
let terminationSignals = [SIGTERM, SIGINT].map { number in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler {
        WardenAgent.killRunningCommands()
        EventLog.standardError.info("agent.stopping", ["signal": .number(Double(number))])
        exit(0)
    }
    source.resume()
    return source
}

do {
    let agent = try WardenAgent(configuration: configuration)
    await agent.run()
} catch {
    FileHandle.standardError.write(Data("warden-agent: cannot start: \(error)\n".utf8))
    exit(1)
}
