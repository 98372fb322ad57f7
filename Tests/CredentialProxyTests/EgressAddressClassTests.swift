@testable import CredentialProxy
import Testing

@Suite("Egress: address classes")
struct EgressAddressClassTests {
    let classifier = AddressClassifier()

    @Test(arguments: [
        ("127.0.0.1", AddressClass.loopback),
        ("127.255.255.254", .loopback),
        ("10.0.0.1", .privateNetwork),
        ("10.255.255.255", .privateNetwork),
        ("172.16.0.1", .privateNetwork),
        ("172.31.255.255", .privateNetwork),
        ("172.15.255.255", .global),
        ("172.32.0.0", .global),
        ("192.168.1.1", .privateNetwork),
        ("192.169.0.1", .global),
        ("100.64.0.1", .sharedAddressSpace),
        ("100.100.100.200", .sharedAddressSpace),  // Alibaba Cloud metadata
        ("100.127.255.255", .sharedAddressSpace),
        ("100.63.255.255", .global),
        ("100.128.0.0", .global),
        ("169.254.169.254", .linkLocal),  // AWS, GCP, Azure metadata
        ("169.254.0.1", .linkLocal),
        ("0.0.0.0", .unspecified),
        ("0.1.2.3", .unspecified),
        ("224.0.0.1", .multicast),
        ("239.255.255.250", .multicast),
        ("255.255.255.255", .broadcast),
        ("240.0.0.1", .reserved),
        ("255.255.255.254", .reserved),
        ("192.0.0.192", .reserved),  // Oracle Cloud metadata
        ("192.88.99.1", .reserved),
        ("192.0.2.1", .documentation),
        ("198.51.100.7", .documentation),
        ("203.0.113.9", .documentation),
        ("198.18.0.1", .benchmarking),
        ("198.19.255.255", .benchmarking),
        ("198.20.0.0", .global),
        ("8.8.8.8", .global),
        ("1.1.1.1", .global),
        ("93.184.216.34", .global),
    ])
    func ipv4Classes(text: String, expected: AddressClass) throws {
        let address = try #require(IPAddress(text))
        #expect(classifier.classify(address).addressClass == expected)
    }

    @Test(arguments: [
        ("::", AddressClass.unspecified),
        ("::1", .loopback),
        ("fe80::1", .linkLocal),
        ("febf:ffff::1", .linkLocal),
        ("fc00::1", .uniqueLocal),
        ("fd00:ec2::254", .uniqueLocal),  // AWS metadata over IPv6
        ("fdff:ffff::1", .uniqueLocal),
        ("fec0::1", .privateNetwork),
        ("ff02::1", .multicast),
        ("ff0e::1", .multicast),
        ("2001:db8::1", .documentation),
        ("3fff::1", .documentation),
        ("2001:2::1", .benchmarking),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", .teredo),
        ("2001::1", .teredo),
        ("2001:1::1", .reserved),
        ("100::1", .reserved),
        ("64:ff9b:1::1", .privateNetwork),
        ("5f00::1", .reserved),
        ("4000::1", .reserved),
        ("1::1", .reserved),
        ("2606:4700:4700::1111", .global),
        ("2a00:1450:4001::1", .global),
    ])
    func ipv6Classes(text: String, expected: AddressClass) throws {
        let address = try #require(IPAddress(text))
        #expect(classifier.classify(address).addressClass == expected)
        #expect(classifier.classify(address).embedded == nil)
    }

    /// IPv6 forms that carry an IPv4 address are judged by that address.
    @Test(arguments: [
        ("::ffff:127.0.0.1", AddressClass.loopback, EmbeddedIPv4.Kind.mapped, "127.0.0.1"),
        ("::ffff:7f00:1", .loopback, .mapped, "127.0.0.1"),
        ("::ffff:10.0.0.1", .privateNetwork, .mapped, "10.0.0.1"),
        ("::ffff:169.254.169.254", .linkLocal, .mapped, "169.254.169.254"),
        ("::ffff:0.0.0.0", .unspecified, .mapped, "0.0.0.0"),
        ("::ffff:8.8.8.8", .global, .mapped, "8.8.8.8"),
        ("::127.0.0.1", .loopback, .compatible, "127.0.0.1"),
        ("::10.0.0.1", .privateNetwork, .compatible, "10.0.0.1"),
        ("::8.8.8.8", .reserved, .compatible, "8.8.8.8"),
        ("64:ff9b::127.0.0.1", .loopback, .nat64, "127.0.0.1"),
        ("64:ff9b::a9fe:a9fe", .linkLocal, .nat64, "169.254.169.254"),
        ("64:ff9b::192.168.0.1", .privateNetwork, .nat64, "192.168.0.1"),
        ("64:ff9b::8.8.8.8", .global, .nat64, "8.8.8.8"),
        ("2002:7f00:1::", .loopback, .sixToFour, "127.0.0.1"),
        ("2002:a9fe:a9fe::1", .linkLocal, .sixToFour, "169.254.169.254"),
        ("2002:c0a8:101::1", .privateNetwork, .sixToFour, "192.168.1.1"),
        ("2002:a00:1:1::1", .privateNetwork, .sixToFour, "10.0.0.1"),
        ("2002:808:808::1", .global, .sixToFour, "8.8.8.8"),
    ])
    func embeddedIPv4IsWhatCounts(text: String, expected: AddressClass, kind: EmbeddedIPv4.Kind, embedded: String) throws {
        let classification = classifier.classify(try #require(IPAddress(text)))
        #expect(classification.addressClass == expected)
        #expect(classification.embedded?.kind == kind)
        #expect(classification.embedded?.address.description == embedded)
    }

    @Test func thisHostsPublicAddressesAreRefusedInEveryForm() throws {
        let own = IPv4Address(93, 184, 216, 34)
        let ownV6 = try #require(IPv6Address("2606:4700::6810:1"))
        let classifier = AddressClassifier(localAddresses: [.v4(own), .v6(ownV6), .v4(IPv4Address(127, 0, 0, 1))])
        #expect(classifier.classify(.v4(own)).addressClass == .thisHost)
        #expect(classifier.classify(.v6(ownV6)).addressClass == .thisHost)
        #expect(classifier.classify(.v6(IPv6Address(mapping: own))).addressClass == .thisHost)
        #expect(classifier.classify(try #require(IPAddress("64:ff9b::5db8:d822"))).addressClass == .thisHost)
        // A more telling class wins over "this host".
        #expect(classifier.classify(.v4(IPv4Address(127, 0, 0, 1))).addressClass == .loopback)
        #expect(classifier.classify(.v4(IPv4Address(93, 184, 216, 35))).addressClass == .global)
    }

    @Test func onlyGlobalAddressesAreDialledWithoutARuleNamingTheHost() {
        for addressClass in AddressClass.allCases {
            #expect(addressClass.permitsDial(allowPrivate: false) == (addressClass == .global), "\(addressClass)")
        }
        let neverDialled: Set<AddressClass> = [.unspecified, .multicast, .broadcast]
        for addressClass in AddressClass.allCases {
            #expect(addressClass.permitsDial(allowPrivate: true) == !neverDialled.contains(addressClass), "\(addressClass)")
        }
    }

    @Test func phrasesNameTheClass() {
        #expect(AddressClass.linkLocal.phrase == "a link-local/metadata address")
        #expect(AddressClass.unspecified.phrase == "an unspecified address")
        for addressClass in AddressClass.allCases {
            #expect(addressClass.phrase.hasPrefix("a ") || addressClass.phrase.hasPrefix("an "))
            #expect(addressClass.phrase.contains("address"))
        }
    }
}
