@testable import CredentialProxy
import Glibc
import HTTP
import Synchronization
import Testing

/// Answers from a script and counts the questions, so "resolve once" can be checked.
private final class ScriptedLookup: HostLookup {
    private let answers: Mutex<[String: [Result<[IPAddress], HostLookupError>]]>
    private let asked = Mutex(0)

    /// Each name's answers are given in turn, like a DNS server changing its mind (rebinding).
    init(_ answers: [String: [Result<[IPAddress], HostLookupError>]]) {
        self.answers = Mutex(answers)
    }

    var questions: Int { asked.withLock { $0 } }

    func addresses(of name: String) async throws(HostLookupError) -> [IPAddress] {
        asked.withLock { $0 += 1 }
        let answer = answers.withLock { answers -> Result<[IPAddress], HostLookupError> in
            guard var queue = answers[name], !queue.isEmpty else { return .failure(.notFound) }
            let first = queue.removeFirst()
            answers[name] = queue.isEmpty ? [first] : queue
            return first
        }
        return try answer.get()
    }
}

private func ip(_ text: String) -> IPAddress { IPAddress(text)! }

@Suite("Egress: resolving and the SSRF guard")
struct EgressResolverTests {
    private func resolver(_ lookup: some HostLookup, local: Set<IPAddress> = []) -> EgressResolver {
        EgressResolver(lookup: lookup, localAddresses: { local })
    }

    private func refusal(_ host: String, allowPrivate: Bool = false, resolver: EgressResolver) async -> ResolutionRefusal? {
        do {
            let addresses = try await resolver.resolve(host: host, port: 443, allowPrivate: allowPrivate)
            Issue.record("\(host) resolved to \(addresses)")
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("169.254.169.254", "169.254.169.254 is a link-local/metadata address"),
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1 is a loopback address (IPv4-mapped 127.0.0.1)"),
        ("10.0.0.1", "10.0.0.1 is a private address"),
        ("[::1]", "::1 is a loopback address"),
        ("100.100.100.200", "100.100.100.200 is a carrier-grade NAT (shared) address"),
        ("[fd00:ec2::254]", "fd00:ec2::254 is a unique-local address"),
        ("[64:ff9b::a9fe:a9fe]", "64:ff9b::a9fe:a9fe is a link-local/metadata address (NAT64 169.254.169.254)"),
        ("[2002:a00:1::]", "2002:a00:1:: is a private address (6to4 10.0.0.1)"),
    ])
    func addressLiteralsAreCheckedWithoutALookup(host: String, reason: String) async throws {
        let lookup = ScriptedLookup([:])
        let refused = try #require(await refusal(host, resolver: resolver(lookup)))
        #expect(refused.reason == reason + "; warden dials such addresses only for hosts an egress rule names exactly")
        #expect(lookup.questions == 0)
    }

    @Test(arguments: ["2130706433", "0177.0.0.1", "0x7f.1", "127.1", "0x7f000001", "0xA9FEA9FE", "0"])
    func numericTricksAreRefusedBeforeAnyLookup(host: String) async throws {
        let lookup = ScriptedLookup([:])
        let refused = try #require(await refusal(host, allowPrivate: true, resolver: resolver(lookup)))
        guard case .invalidHost(host, .nonCanonicalIPv4) = refused else {
            Issue.record("unexpected refusal \(refused)")
            return
        }
        #expect(refused.reason.contains("non-canonical form of the IPv4 address"))
        #expect(lookup.questions == 0)
    }

    @Test func localhostThroughTheSystemResolverIsLoopback() async throws {
        let refused = try #require(await refusal("localhost", resolver: EgressResolver(localAddresses: { [] })))
        guard case .forbiddenAddress(_, let address, let classification) = refused else {
            Issue.record("unexpected refusal \(refused)")
            return
        }
        #expect(classification.addressClass == .loopback)
        #expect(refused.reason.hasPrefix("localhost resolves to \(address), a loopback address"))
    }

    @Test func aNameIsRefusedIfAnyOfItsAddressesIs() async throws {
        let lookup = ScriptedLookup(["mixed.example": [.success([ip("93.184.216.34"), ip("127.0.0.1")])]])
        let refused = try #require(await refusal("mixed.example", resolver: resolver(lookup)))
        #expect(refused.reason == "mixed.example resolves to 127.0.0.1, a loopback address; "
            + "warden dials such addresses only for hosts an egress rule names exactly")
    }

    @Test func theCheckedAddressesAreTheOnesReturnedAndTheNameIsAskedOnce() async throws {
        // A rebinding server: public on the first question, loopback on any later one.
        let lookup = ScriptedLookup(["rebind.example": [
            .success([ip("93.184.216.34"), ip("2606:2800:220:1::1"), ip("93.184.216.34")]),
            .success([ip("127.0.0.1")]),
        ]])
        let addresses = try await resolver(lookup).resolve(host: "Rebind.Example.", port: 443, allowPrivate: false)
        #expect(lookup.questions == 1)
        #expect(addresses.map(\.description) == ["93.184.216.34:443", "[2606:2800:220:1::1]:443"])
        #expect(addresses[0].socketAddress == .tcp(host: "93.184.216.34", port: 443))
        // The dialler uses these; asking again would be the rebinding hole, and is refused.
        await #expect(throws: ResolutionRefusal.self) {
            try await resolver(lookup).resolve(host: "rebind.example", port: 443, allowPrivate: false)
        }
    }

    @Test func aRuleNamingTheHostLetsPrivateAddressesThrough() async throws {
        let lookup = ScriptedLookup(["db.internal": [.success([ip("10.1.2.3")])], "me.internal": [.success([ip("127.0.0.1")])]])
        let resolver = resolver(lookup)
        #expect(try await resolver.resolve(host: "db.internal", port: 5432, allowPrivate: true).map(\.address) == [ip("10.1.2.3")])
        #expect(try await resolver.resolve(host: "me.internal", port: 80, allowPrivate: true).map(\.address) == [ip("127.0.0.1")])
        #expect(try await resolver.resolve(host: "169.254.169.254", port: 80, allowPrivate: true).count == 1)
        #expect(await refusal("db.internal", resolver: resolver) != nil)
    }

    @Test(arguments: [
        ("0.0.0.0", "0.0.0.0 is an unspecified address; warden never dials it"),
        ("[::]", ":: is an unspecified address; warden never dials it"),
        ("224.0.0.1", "224.0.0.1 is a multicast address; warden never dials it"),
        ("[ff02::1]", "ff02::1 is a multicast address; warden never dials it"),
        ("255.255.255.255", "255.255.255.255 is a broadcast address; warden never dials it"),
        ("[::ffff:0.0.0.0]", "::ffff:0.0.0.0 is an unspecified address (IPv4-mapped 0.0.0.0); warden never dials it"),
    ])
    func nonUnicastAddressesAreRefusedEvenWhenARuleNamesThem(host: String, reason: String) async throws {
        let refused = try #require(await refusal(host, allowPrivate: true, resolver: resolver(ScriptedLookup([:]))))
        #expect(refused.reason == reason)
    }

    @Test func thisHostsOwnAddressesAreRefused() async throws {
        let own = ip("93.184.216.34")
        let lookup = ScriptedLookup(["self.example": [.success([own])]])
        let resolver = resolver(lookup, local: [own])
        let refused = try #require(await refusal("self.example", resolver: resolver))
        #expect(refused.reason.hasPrefix("self.example resolves to 93.184.216.34, an address of warden's own host"))
        #expect(await refusal("[::ffff:93.184.216.34]", resolver: resolver) != nil)
        #expect(try await resolver.resolve(host: "self.example", port: 80, allowPrivate: true).count == 1)
    }

    @Test func lookupFailuresAndEmptyAnswersAreRefusals() async throws {
        let lookup = ScriptedLookup([
            "gone.example": [.failure(.notFound)],
            "slow.example": [.failure(.temporaryFailure)],
            "empty.example": [.success([])],
        ])
        let resolver = resolver(lookup)
        #expect(await refusal("gone.example", resolver: resolver)?.reason == "gone.example does not resolve to any address")
        #expect(await refusal("slow.example", resolver: resolver)?.reason == "resolving slow.example failed for now; try again later")
        #expect(await refusal("empty.example", resolver: resolver)?.reason == "empty.example does not resolve to any address")
    }

    @Test(arguments: [0, -1, 65536])
    func portsOutsideTheRangeAreRefused(port: Int) async {
        await #expect(throws: ResolutionRefusal.invalidPort(port)) {
            try await EgressResolver(lookup: ScriptedLookup([:])).resolve(host: "93.184.216.34", port: port, allowPrivate: false)
        }
    }

    @Test(arguments: ["93.184.216.34", "2606:2800:220:1::1", "::ffff:8.8.8.8"])
    func dialAddressesBecomeTheSockaddrTheyName(text: String) {
        let dial = DialAddress(address: ip(text), port: 8443)
        dial.withSockaddr { pointer, length in
            #expect(IPAddress(sockaddr: pointer) == ip(text))
            let port = pointer.pointee.sa_family == sa_family_t(AF_INET)
                ? pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
                : pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
            #expect(UInt16(bigEndian: port) == 8443)
            #expect(Int(length) == (text.contains(":") ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size))
        }
    }

    @Test func theSystemLookupRunsOffTheCallersThreadAndCopesWithABurst() async throws {
        // More lookups than lookup threads: the rest queue rather than spawn threads.
        let answers = try await withThrowingTaskGroup(of: [IPAddress].self) { group in
            for _ in 0..<24 { group.addTask { try await SystemHostLookup().addresses(of: "localhost") } }
            var all: [[IPAddress]] = []
            for try await answer in group { all.append(answer) }
            return all
        }
        #expect(answers.count == 24)
        #expect(answers.allSatisfy { $0.contains(ip("127.0.0.1")) })
    }
}
