import Foundation

/// Finds an executable the package builds (`warden`, `store-crash-probe`): `swift build` puts
/// executables next to the test bundle; on Linux the bundle is itself an executable in that
/// directory, on macOS it is a directory inside it.
public enum BuiltExecutable {
    public static func find(_ name: String) -> URL? {
        var starts: [URL] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        starts.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        starts.append(Bundle.main.bundleURL)
        for start in starts {
            var directory = start
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory.deleteLastPathComponent()
            }
        }
        return nil
    }
}
