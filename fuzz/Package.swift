// swift-tools-version:6.0
// A libFuzzer target for the HTTP/1.1 parser, kept out of the main package so that normal
// builds never need the fuzzer runtime. See fuzz/README.md.
import PackageDescription

let package = Package(
    name: "warden-fuzz",
    dependencies: [.package(name: "warden", path: "..")],
    targets: [
        .executableTarget(name: "HTTPParserFuzz", dependencies: [.product(name: "HTTP", package: "warden")]),
    ]
)
