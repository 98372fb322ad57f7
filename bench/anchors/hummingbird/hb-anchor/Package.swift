// swift-tools-version:6.0
// Benchmark anchor: a Hummingbird 2 hello-world, built separately from Warden.
// This package is NOT a dependency of the main package; bench/http.sh builds it on its own.
// It lives in a folder not named "hummingbird" because SwiftPM derives a root package's identity
// from its folder name, and "hummingbird" would clash with the dependency's identity.
import PackageDescription

let package = Package(
    name: "hb-anchor",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "hb-anchor",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/hb-anchor"
        ),
    ]
)
