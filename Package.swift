// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "warden",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "warden", targets: ["warden"]),
        .executable(name: "warden-agent", targets: ["warden-agent"]),
        .library(name: "HTTP", targets: ["HTTP"]),
        .library(name: "Store", targets: ["Store"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // Thin shims over system C libraries.
        .target(name: "CLinux", path: "Sources/CLinux"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // A VFS that writes each commit's WAL frames out in one write (see its header).
        .target(name: "CWALBuffer", dependencies: ["CSQLite"], path: "Sources/CWALBuffer"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),

        // Event loops, HTTP/1.1 server and client (TCP, unix, TLS), router. Knows nothing of sessions, SQL or Docker.
        .target(name: "HTTP", dependencies: [
            "CLinux", "COpenSSL",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: [
            // A connection is confined to its loop's thread, so the runtime's exclusivity
            // checks on its stored properties can never fire; in release builds they cost
            // about 3% of a keep-alive request (swift_beginAccess and its thread-local set).
            // Debug builds, and so the tests, keep them.
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        ]),
        // SQLite: migrations, one writer with group commit, a pool of readers.
        .target(name: "Store", dependencies: [
            "CSQLite", "CWALBuffer",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The Docker Engine API over its unix socket, on the HTTP client.
        .target(name: "Docker", dependencies: [
            "HTTP",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Runs and their containers: the queue, the ContainerRuntime protocol and its Docker
        // implementation, the per-session agent sockets, recovery, scheduled tasks.
        .target(name: "Scheduler", dependencies: [
            "Docker", "Core", "HTTP", "Store",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Business rules shared by the API, scheduler, proxy and channels: sessions, runs,
        // approvals, keys, audit, and the event bus. Knows nothing of HTTP.
        .target(name: "Core", dependencies: [
            "Store", "COpenSSL",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The credential proxy: the vault (AES-256-GCM at rest) and the model route on each
        // session's proxy socket. Never lets a secret reach a container, a log line or a response.
        .target(name: "CredentialProxy", dependencies: [
            "HTTP", "Core", "Store", "COpenSSL",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Chat platforms in and out (SPEC §6): signature verification on the raw bytes, message
        // parsing into one model, replies and approval cards shaped for each platform.
        .target(name: "Channels", dependencies: [
            "Core", "Store", "HTTP", "COpenSSL",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Outbound webhooks (SPEC §3): committed events become durable deliveries, POSTed with
        // Standard Webhooks signatures and retried with backoff. Secrets are opened through
        // Core's SecretSealer (the vault implements it), so this needs no CredentialProxy.
        .target(name: "Webhooks", dependencies: [
            "Core", "Store", "HTTP",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The in-container agent loop: model clients, tools, the relay. Talks only to its sockets.
        .target(name: "Agent", dependencies: ["HTTP"]),
        .executableTarget(name: "warden-agent", dependencies: ["Agent"]),
        // REST surface: auth, JSON, pagination, idempotency, SSE; translates HTTP to Core.
        .target(name: "API", dependencies: [
            "HTTP", "Store", "Core", "CredentialProxy", "Channels",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The CLI: wiring only.
        .executableTarget(name: "warden", dependencies: [
            "API", "Core", "HTTP", "Store", "Scheduler", "CredentialProxy", "Docker", "Channels", "Webhooks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Test support shared by test targets: child processes without Foundation's Process.
        .target(name: "TestSupport", dependencies: ["HTTP"], path: "Tests/Support"),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "CSQLite", "CWALBuffer", "TestSupport"]),
        // Test support: a child process that acknowledges writes and is then killed -9.
        .executableTarget(name: "store-crash-probe", dependencies: ["Store"], path: "Tests/StoreCrashProbe"),
        .testTarget(name: "CoreTests", dependencies: ["Core", "Store"]),
        .testTarget(name: "DockerTests", dependencies: ["Docker", "HTTP", "TestSupport"]),
        // Test support: a model server that speaks the Anthropic and OpenAI wire formats from a script.
        .target(name: "ScriptedModel", dependencies: ["HTTP"], path: "Tests/ScriptedModel"),
        .executableTarget(name: "scripted-model", dependencies: ["ScriptedModel"], path: "Tests/ScriptedModelServer"),
        // Benchmark support (bench/proxy.sh): a closed-loop HTTP/1.1 load generator that speaks through
        // a proxy (TCP or unix socket), CONNECT + TLS included. Not a product; built only for the bench.
        .executableTarget(name: "proxy-load", dependencies: ["COpenSSL"], path: "bench/ProxyLoad"),
        .testTarget(name: "SchedulerTests", dependencies: [
            "Scheduler", "Docker", "HTTP", "Core", "Store", "CredentialProxy", "ScriptedModel", "TestSupport",
        ]),
        .testTarget(name: "CredentialProxyTests", dependencies: ["CredentialProxy", "Core", "Store", "HTTP", "ScriptedModel", "TestSupport"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "HTTP", "ScriptedModel", "TestSupport"]),
        // Test support: signing keys, JWTs and a JWKS server, as the platforms sign and publish them.
        .target(name: "ChannelTestSupport", dependencies: ["Core", "HTTP", "COpenSSL", "TestSupport"],
                path: "Tests/ChannelTestSupport"),
        .testTarget(name: "ChannelsTests", dependencies: ["Channels", "Core", "HTTP", "Store", "TestSupport", "ChannelTestSupport"]),
        .testTarget(name: "APITests", dependencies: [
            "API", "Channels", "Core", "CredentialProxy", "CSQLite", "HTTP", "Store", "TestSupport", "ChannelTestSupport",
        ]),
        .testTarget(name: "WebhooksTests", dependencies: ["Webhooks", "Core", "CredentialProxy", "HTTP", "Store", "TestSupport"]),
    ]
)
