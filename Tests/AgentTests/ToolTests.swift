import Foundation
import HTTP
import Testing
@testable import Agent

/// The tools against a real temp workspace and a real bash.
@Suite struct ToolTests {
    final class Sandbox: Sendable {
        let root: String
        let group: EventLoopGroup
        let context: ToolContext

        init(bashTimeout: Duration = .seconds(120)) throws {
            root = NSTemporaryDirectory() + "agent-tools-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            group = try EventLoopGroup(loopCount: 1)
            // No warden behind it: these tools never call it.
            let warden = WardenClient(http: HTTPClient(group: group), socketPath: root + "/no-warden.sock")
            context = ToolContext(runID: "run_tools", warden: warden, workspace: Agent.Workspace(root: root),
                                  bashTimeout: bashTimeout)
        }

        deinit {
            group.shutdown()
            try? FileManager.default.removeItem(atPath: root)
        }

        func run(_ name: String, _ input: String) async throws -> ToolOutcome {
            try await Toolbox().run(ToolUse(id: "t1", name: name, rawInput: input), context: context)
        }

        func write(_ name: String, _ text: String) throws {
            let path = root + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        }

        func read(_ name: String) -> String? {
            try? String(contentsOfFile: root + "/" + name, encoding: .utf8)
        }
    }

    // MARK: bash

    @Test func bashRunsInTheWorkspaceAndReportsTheExitCode() async throws {
        let w = try Sandbox()
        let ok = try await w.run("bash", #"{"command":"pwd; echo out; echo err >&2"}"#)
        #expect(ok.isError == false)
        #expect(ok.output.hasPrefix(w.root + "\nout\nerr\n") || ok.output.hasPrefix(w.root + "\nerr\nout\n"))
        #expect(ok.output.hasSuffix("[exit code 0]"))
        let failing = try await w.run("bash", #"{"command":"exit 3"}"#)
        #expect(failing.output == "[exit code 3]")
        let quoted = try await w.run("bash", #"{"command":"printf '%s|' \"a b\" '$HOME' && echo"}"#)
        #expect(quoted.output.hasPrefix("a b|$HOME|"))
        // The agent ignores SIGPIPE; its commands must not, or `yes` would never stop.
        #expect(try await w.run("bash", #"{"command":"yes | head -n 2"}"#).output == "y\ny\n[exit code 0]")
    }

    @Test func bashTimeoutKillsTheWholeProcessGroup() async throws {
        let w = try Sandbox()
        // A background child that would outlive bash if only bash were killed.
        let outcome = try await w.run("bash", #"{"command":"sleep 300 & echo $! > child.pid; echo started; wait","timeout":1}"#)
        #expect(outcome.isError)
        #expect(outcome.output.contains("started"))
        #expect(outcome.output.contains("timed out after 1 s"))
        let pid = try #require(Int32(w.read("child.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        var gone = false
        for _ in 0..<250 {
            // Killed: either reaped already or a zombie waiting for its new parent.
            let state = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            if state == nil || state!.contains(") Z ") { gone = true; break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(gone, "the background child was killed with the group")
    }

    @Test func bashUsesTheConfiguredDefaultTimeout() async throws {
        let w = try Sandbox(bashTimeout: .seconds(1))
        let outcome = try await w.run("bash", #"{"command":"sleep 300"}"#)
        #expect(outcome.isError)
        #expect(outcome.output.contains("timed out"))
    }

    @Test func bashReturnsWhenBashExitsEvenIfABackgroundChildKeepsTheOutputOpen() async throws {
        let w = try Sandbox()
        let outcome = try await w.run("bash", #"{"command":"(sleep 300; echo late) & echo $! > bg.pid; echo now"}"#)
        #expect(outcome.output == "now\n[exit code 0]")
        // The subshell's `sleep 300` is a process of its own: kill the command's whole group
        // (bash's), or it outlives the test, holding whatever descriptors it inherited.
        if let pid = Int32(w.read("bg.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
            let group = getpgid(pid)
            if group > 1 && group != getpgrp() { kill(-group, SIGKILL) }
        }
    }

    @Test func bashOutputIsTruncatedInTheMiddle() async throws {
        let w = try Sandbox()
        let outcome = try await w.run("bash", #"{"command":"echo START; head -c 200000 /dev/zero | tr '\\0' x; echo; echo END"}"#)
        #expect(outcome.output.hasPrefix("START\n"))
        #expect(outcome.output.hasSuffix("END\n[exit code 0]"))
        #expect(outcome.output.contains("bytes of output omitted"))
        #expect(outcome.output.utf8.count < 40_000)
    }

    @Test func cancellingTheRunKillsTheCommand() async throws {
        let w = try Sandbox()
        let task = Task { try await w.run("bash", #"{"command":"sleep 300"}"#) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        await #expect(throws: ToolFailure.cancelled) { try await task.value }
    }

    @Test func bashRejectsBadInput() async throws {
        let w = try Sandbox()
        let missing = try await w.run("bash", #"{}"#)
        #expect(missing.isError)
        #expect(missing.output.contains("`command` is required"))
        let badTimeout = try await w.run("bash", #"{"command":"true","timeout":0}"#)
        #expect(badTimeout.output.contains("`timeout` must be an integer from 1 to 600"))
    }

    // MARK: files

    @Test func writeThenReadAFile() async throws {
        let w = try Sandbox()
        let written = try await w.run("write_file", #"{"path":"dir/sub/a.txt","content":"one\ntwo\nthree\n"}"#)
        #expect(written == ToolOutcome(output: "Wrote 14 bytes to dir/sub/a.txt."))
        #expect(w.read("dir/sub/a.txt") == "one\ntwo\nthree\n")
        #expect(try await w.run("read_file", #"{"path":"dir/sub/a.txt"}"#).output == "one\ntwo\nthree\n")
        #expect(try await w.run("read_file", #"{"path":"dir/sub/a.txt","offset":2,"limit":1}"#).output == "two")
        let past = try await w.run("read_file", #"{"path":"dir/sub/a.txt","offset":9}"#)
        #expect(past.isError)
        #expect(past.output.contains("past its end"))
    }

    @Test func readFileErrors() async throws {
        let w = try Sandbox()
        let missing = try await w.run("read_file", #"{"path":"nope.txt"}"#)
        #expect(missing == ToolOutcome(output: "nope.txt does not exist.", isError: true))
        try w.write("d/x", "x")
        #expect(try await w.run("read_file", #"{"path":"d"}"#).output.contains("is a directory"))
        _ = FileManager.default.createFile(atPath: w.root + "/bin", contents: Data([0xFF, 0xFE, 0x00]))
        #expect(try await w.run("read_file", #"{"path":"bin"}"#).output.contains("not UTF-8"))
    }

    @Test func editFileReplacesOneExactOccurrence() async throws {
        let w = try Sandbox()
        try w.write("a.swift", "let a = 1\r\nlet b = 2\nlet c = 3\n")
        chmod(w.root + "/a.swift", 0o755)
        let edited = try await w.run("edit_file", #"{"path":"a.swift","old_string":"let b = 2","new_string":"let b = 20"}"#)
        #expect(edited == ToolOutcome(output: "Edited a.swift: replaced 1 occurrence."))
        #expect(w.read("a.swift") == "let a = 1\r\nlet b = 20\nlet c = 3\n")
        // In place: the mode survives.
        let mode = try FileManager.default.attributesOfItem(atPath: w.root + "/a.swift")[.posixPermissions] as? Int
        #expect(mode == 0o755)
        // Bytes, not characters: "\r\n" is two of them.
        _ = try await w.run("edit_file", #"{"path":"a.swift","old_string":"1\r","new_string":"10\r"}"#)
        #expect(w.read("a.swift") == "let a = 10\r\nlet b = 20\nlet c = 3\n")
    }

    @Test func editFileErrorsAreClear() async throws {
        let w = try Sandbox()
        try w.write("a.txt", "same\nsame\nonce\n")
        let notFound = try await w.run("edit_file", #"{"path":"a.txt","old_string":"absent","new_string":"x"}"#)
        #expect(notFound.isError)
        #expect(notFound.output.contains("was not found in a.txt"))
        let ambiguous = try await w.run("edit_file", #"{"path":"a.txt","old_string":"same","new_string":"x"}"#)
        #expect(ambiguous.isError)
        #expect(ambiguous.output.contains("occurs 2 times in a.txt"))
        let empty = try await w.run("edit_file", #"{"path":"a.txt","old_string":"","new_string":"x"}"#)
        #expect(empty.output.contains("`old_string` must not be empty"))
        let noFile = try await w.run("edit_file", #"{"path":"b.txt","old_string":"a","new_string":"b"}"#)
        #expect(noFile == ToolOutcome(output: "b.txt does not exist.", isError: true))
        #expect(w.read("a.txt") == "same\nsame\nonce\n", "a failed edit changes nothing")
    }

    @Test func listFiles() async throws {
        let w = try Sandbox()
        try w.write("b.txt", "")
        try w.write("a/one.txt", "")
        try w.write("a/deep/two.txt", "")
        try w.write(".git/config", "")
        #expect(try await w.run("list_files", "{}").output == ".git/\na/\nb.txt")
        #expect(try await w.run("list_files", #"{"path":"a"}"#).output == "deep/\none.txt")
        let all = try await w.run("list_files", #"{"recursive":true}"#)
        #expect(all.output == ".git/\na/\na/deep/\na/deep/two.txt\na/one.txt\nb.txt")
        #expect(try await w.run("list_files", #"{"path":"b.txt"}"#).output.contains("is a file"))
    }

    @Test func unknownToolsAndMalformedInputAreErrorsForTheModel() async throws {
        let w = try Sandbox()
        let unknown = try await w.run("rm_rf", "{}")
        #expect(unknown.isError)
        #expect(unknown.output.contains("There is no tool called `rm_rf`"))
        let malformed = try await w.run("bash", #"{"command": "ls""#)
        #expect(malformed.isError)
        #expect(malformed.output.contains("not a JSON object"))
        // An empty argument string (how some streams send "no arguments") is an empty object.
        #expect(try await w.run("list_files", "").isError == false)
    }
}
