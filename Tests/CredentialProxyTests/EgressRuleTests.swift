@testable import CredentialProxy
import Testing

@Suite("Egress: rules")
struct EgressRuleTests {
    @Test func fieldsAreStoredInTheFormTheyAreMatchedIn() throws {
        let rule = try EgressRule(id: "r1", host: "API.Example.com.", methods: ["get", "Post"],
                                  pathPrefix: "/v1/%2e%2e/v2//x", action: .allow, rateLimitPerMinute: 30)
        #expect(rule.host == .exact(try EgressHost(parsing: "api.example.com")))
        #expect(rule.methods == ["GET", "POST"])
        #expect(rule.pathPrefix?.value == "/v2/x")
        #expect(rule.rateLimitPerMinute == 30)
        let open = try EgressRule(id: "r2", host: "*.example.com", action: .deny)
        #expect(open.host == .subdomains(of: "example.com"))
        #expect(open.methods == nil && open.pathPrefix == nil && open.rateLimitPerMinute == nil)
    }

    @Test(arguments: [
        ("bad host", nil, nil, nil, EgressRuleError.invalidHost("bad host", .invalidCharacter(" "))),
        ("*", nil, nil, nil, .invalidHost("*", .invalidCharacter("*"))),
        ("127.1", nil, nil, nil, .invalidHost("127.1", .nonCanonicalIPv4(meaning: IPv4Address(127, 0, 0, 1)))),
        ("a.com", [], nil, nil, .noMethods),
        ("a.com", ["GE T"], nil, nil, .invalidMethod("GE T")),
        ("a.com", [""], nil, nil, .invalidMethod("")),
        ("a.com", nil, "v1", nil, .invalidPathPrefix("v1", .notAbsolute)),
        ("a.com", nil, "/v1?x=1", nil, .pathPrefixHasQuery("/v1?x=1")),
        ("a.com", nil, "/a%2fb", nil, .invalidPathPrefix("/a%2fb", .encodedSeparator("%2F"))),
        ("a.com", nil, "/..", nil, .invalidPathPrefix("/..", .climbsAboveRoot)),
        ("a.com", nil, nil, 0, .invalidRateLimit(0)),
        ("a.com", nil, nil, -5, .invalidRateLimit(-5)),
    ] as [(String, Set<String>?, String?, Int?, EgressRuleError)])
    func invalidRulesAreRefused(host: String, methods: Set<String>?, pathPrefix: String?, limit: Int?,
                                error: EgressRuleError) {
        #expect(throws: error) {
            try EgressRule(id: "r", host: host, methods: methods, pathPrefix: pathPrefix, action: .allow,
                           rateLimitPerMinute: limit)
        }
        #expect(!error.reason.isEmpty)
    }
}

@Suite("Egress: policy")
struct EgressPolicyTests {
    private func rule(_ id: String, _ host: String, _ action: EgressAction, methods: Set<String>? = nil,
                      path: String? = nil) throws -> EgressRule {
        try EgressRule(id: id, host: host, methods: methods, pathPrefix: path, action: action)
    }

    private func decide(_ method: String, _ host: String, _ path: String, _ rules: [EgressRule],
                        alwaysAllowed: [String] = []) throws -> EgressDecision {
        let hosts = try alwaysAllowed.map { try EgressHost(parsing: $0) }
        let decision = EgressPolicy.decide(method: method, host: host, path: path, rules: rules, alwaysAllowedHosts: hosts)
        // The order rules are loaded in never changes the outcome.
        let reversed = EgressPolicy.decide(method: method, host: host, path: path, rules: rules.reversed(),
                                           alwaysAllowedHosts: hosts)
        #expect(decision == reversed)
        return decision
    }

    @Test func withNoMatchingRuleTheAgentIsToldHowToGetOne() throws {
        let decision = try decide("GET", "api.example.com", "/v1/x?token=abc", [rule("r1", "other.example.com", .allow)])
        #expect(decision.action == .deny)
        #expect(decision.basis == .noMatchingRule)
        #expect(decision.rule == nil)
        #expect(decision.reason == "no egress rule allows GET api.example.com/v1/x; ask an admin to add one via POST /v1/rules")
        #expect(try decide("GET", "api.example.com", "/", []).action == .deny)
    }

    @Test func anExactHostBeatsAWildcard() throws {
        let rules = [try rule("wild", "*.example.com", .allow), try rule("exact", "api.example.com", .deny)]
        #expect(try decide("GET", "api.example.com", "/", rules).rule?.id == "exact")
        #expect(try decide("GET", "www.example.com", "/", rules).action == .allow)
        let reversed = [try rule("wild", "*.example.com", .deny), try rule("exact", "api.example.com", .allow)]
        #expect(try decide("GET", "api.example.com", "/", reversed).action == .allow)
        #expect(try decide("GET", "www.example.com", "/", reversed).action == .deny)
    }

    @Test func aLongerWildcardBeatsAShorterOne() throws {
        let rules = [try rule("short", "*.example.com", .deny), try rule("long", "*.b.example.com", .allow)]
        #expect(try decide("GET", "x.b.example.com", "/", rules).rule?.id == "long")
        #expect(try decide("GET", "x.c.example.com", "/", rules).rule?.id == "short")
        // The wildcard does not cover the bare domain.
        #expect(try decide("GET", "b.example.com", "/", rules).rule?.id == "short")
        #expect(try decide("GET", "example.com", "/", rules).basis == .noMatchingRule)
    }

    @Test func aLongerPathPrefixBeatsAShorterOne() throws {
        let rules = [try rule("v1", "api.example.com", .allow, path: "/v1"),
                     try rule("admin", "api.example.com", .deny, path: "/v1/admin")]
        #expect(try decide("GET", "api.example.com", "/v1/admin", rules).rule?.id == "admin")
        #expect(try decide("GET", "api.example.com", "/v1/admin/users", rules).rule?.id == "admin")
        #expect(try decide("GET", "api.example.com", "/v1/x", rules).rule?.id == "v1")
        #expect(try decide("GET", "api.example.com", "/v1/administrator", rules).rule?.id == "v1")
        #expect(try decide("GET", "api.example.com", "/v10", rules).basis == .noMatchingRule)

        let openHost = [try rule("host", "api.example.com", .deny), try rule("public", "api.example.com", .allow, path: "/public")]
        #expect(try decide("GET", "api.example.com", "/public/x", openHost).action == .allow)
        #expect(try decide("GET", "api.example.com", "/private", openHost).action == .deny)
    }

    @Test func aRuleWithMethodsBeatsOneWithout() throws {
        let rules = [try rule("any", "api.example.com", .deny), try rule("reads", "api.example.com", .allow, methods: ["GET", "HEAD"])]
        #expect(try decide("GET", "api.example.com", "/x", rules).rule?.id == "reads")
        #expect(try decide("POST", "api.example.com", "/x", rules).rule?.id == "any")
        let deletes = [try rule("any", "api.example.com", .allow), try rule("no-delete", "api.example.com", .deny, methods: ["DELETE"])]
        #expect(try decide("DELETE", "api.example.com", "/x", deletes).action == .deny)
        // Methods compare case-insensitively, so a lower-case method cannot dodge a deny.
        #expect(try decide("delete", "api.example.com", "/x", deletes).action == .deny)
        #expect(try decide("PUT", "api.example.com", "/x", deletes).action == .allow)
    }

    @Test func hostThenPathThenMethodsDecideSpecificity() throws {
        // An exact host outranks a wildcard with a longer path…
        let hostFirst = [try rule("exact", "api.example.com", .allow), try rule("wild", "*.example.com", .deny, path: "/v1")]
        #expect(try decide("GET", "api.example.com", "/v1", hostFirst).rule?.id == "exact")
        // …and a longer path outranks methods.
        let pathFirst = [try rule("path", "api.example.com", .allow, path: "/v1/x"),
                         try rule("method", "api.example.com", .deny, methods: ["GET"], path: "/v1")]
        #expect(try decide("GET", "api.example.com", "/v1/x", pathFirst).rule?.id == "path")
        // No path prefix counts as "/".
        let rootOrNone = [try rule("none", "api.example.com", .allow), try rule("root", "api.example.com", .deny, path: "/")]
        #expect(try decide("GET", "api.example.com", "/x", rootOrNone).rule?.id == "root")
    }

    @Test func amongEquallySpecificRulesDenyBeatsApproveBeatsAllow() throws {
        let all = [try rule("a", "api.example.com", .allow), try rule("b", "api.example.com", .approve),
                   try rule("c", "api.example.com", .deny)]
        #expect(try decide("GET", "api.example.com", "/", all).action == .deny)
        #expect(try decide("GET", "api.example.com", "/", Array(all.prefix(2))).action == .approve)
        let approve = try decide("GET", "api.example.com", "/", Array(all.prefix(2)))
        #expect(approve.reason == "egress rule b requires a person to approve GET api.example.com/")
        // Fully tied rules are broken by id.
        let twins = [try rule("z", "api.example.com", .allow), try rule("m", "api.example.com", .allow)]
        #expect(try decide("GET", "api.example.com", "/", twins).rule?.id == "m")
    }

    @Test func pathsAreNormalisedBeforeTheyAreMatched() throws {
        let rules = [try rule("public", "api.example.com", .allow, path: "/public"),
                     try rule("admin", "api.example.com", .deny, path: "/admin")]
        #expect(try decide("GET", "api.example.com", "/public/%2e%2e/admin/x", rules).rule?.id == "admin")
        #expect(try decide("GET", "api.example.com", "/public/../admin", rules).rule?.id == "admin")
        #expect(try decide("GET", "api.example.com", "//admin", rules).rule?.id == "admin")
        #expect(try decide("GET", "api.example.com", "/a/%2e%2e/b", [try rule("a", "api.example.com", .allow, path: "/a/")])
            .basis == .noMatchingRule)
        let encoded = try decide("GET", "api.example.com", "/public/..%2fadmin", rules)
        #expect(encoded.action == .deny)
        #expect(encoded.basis == .invalidRequest)
        #expect(encoded.reason == "GET api.example.com/public/..%2fadmin was refused: the path contains the encoded separator %2F; send a plain /")
    }

    @Test func hostsAreComparedAfterNormalisation() throws {
        let rules = [try rule("r", "api.example.com", .allow)]
        #expect(try decide("GET", "API.EXAMPLE.COM.", "/", rules).action == .allow)
        let numeric = try decide("GET", "2130706433", "/", [try rule("lo", "127.0.0.1", .allow)])
        #expect(numeric.basis == .invalidRequest)
        #expect(numeric.reason.contains("write it as 127.0.0.1"))
        #expect(try decide("GET", "bücher.example", "/", rules).basis == .invalidRequest)
        #expect(try decide("GET", "[::1]", "/x?q", []).reason.contains("GET [::1]/x;"))
    }

    @Test func modelHostsAreAllowedUnlessARuleOnThatHostSaysOtherwise() throws {
        let model = ["api.anthropic.com"]
        let plain = try decide("POST", "api.anthropic.com", "/v1/messages", [], alwaysAllowed: model)
        #expect(plain.action == .allow)
        #expect(plain.basis == .alwaysAllowedHost)
        #expect(!plain.namesHostExplicitly, "a model host alone does not open private addresses")
        #expect(try decide("POST", "api.openai.com", "/v1", [], alwaysAllowed: model).action == .deny)
        // A wildcard deny does not block it: the model host counts as an exact host.
        #expect(try decide("POST", "api.anthropic.com", "/v1/messages", [try rule("w", "*.anthropic.com", .deny)],
                           alwaysAllowed: model).action == .allow)
        // A rule on that very host does.
        #expect(try decide("POST", "api.anthropic.com", "/v1/messages", [try rule("d", "api.anthropic.com", .deny)],
                           alwaysAllowed: model).action == .deny)
        let admin = [try rule("d", "api.anthropic.com", .deny, path: "/v1/admin")]
        #expect(try decide("POST", "api.anthropic.com", "/v1/admin/keys", admin, alwaysAllowed: model).action == .deny)
        #expect(try decide("POST", "api.anthropic.com", "/v1/messages", admin, alwaysAllowed: model).action == .allow)
        // An equally specific allow rule is named rather than the implicit one, so it can carry a rate limit.
        let limited = try decide("POST", "api.anthropic.com", "/v1/messages", [try rule("own", "api.anthropic.com", .allow)],
                                 alwaysAllowed: model)
        #expect(limited.rule?.id == "own")
    }

    @Test func denyAndApproveRulesMatchPathsAsAnyServerMightReadThem() throws {
        let rules = [try rule("all", "api.example.com", .allow),
                     try rule("admin", "api.example.com", .deny, path: "/v1/admin"),
                     try rule("pay", "api.example.com", .approve, path: "/Payments")]
        for path in ["/v1/admin", "/V1/ADMIN/keys", "/v1/admin;jsessionid=1/keys", "/v1;x/Admin;y"] {
            #expect(try decide("GET", "api.example.com", path, rules).rule?.id == "admin", "\(path)")
        }
        #expect(try decide("POST", "api.example.com", "/payments;a=b/1", rules).rule?.id == "pay")
        #expect(try decide("GET", "api.example.com", "/v1/administrator", rules).rule?.id == "all")
        #expect(try decide("GET", "api.example.com", "/v1/admin%3Bx", rules).rule?.id == "all")
        // Allow rules match only the path as written.
        let narrow = [try rule("public", "api.example.com", .allow, path: "/public")]
        #expect(try decide("GET", "api.example.com", "/public/x", narrow).action == .allow)
        #expect(try decide("GET", "api.example.com", "/PUBLIC/x", narrow).basis == .noMatchingRule)
        #expect(try decide("GET", "api.example.com", "/public;x/y", narrow).basis == .noMatchingRule)
    }

    @Test func onlyAnExactHostLetsPrivateAddressesThrough() throws {
        #expect(try decide("GET", "db.internal", "/", [try rule("e", "db.internal", .allow)]).namesHostExplicitly)
        #expect(try decide("GET", "db.internal", "/", [try rule("e", "db.internal", .approve)]).namesHostExplicitly)
        #expect(try !decide("GET", "a.corp.internal", "/", [try rule("w", "*.corp.internal", .allow)]).namesHostExplicitly)
        #expect(try !decide("GET", "db.internal", "/", [try rule("d", "db.internal", .deny)]).namesHostExplicitly)
        #expect(try !decide("GET", "db.internal", "/", []).namesHostExplicitly)
    }

    @Test func reasonsNameTheRuleAndNeverTheQuery() throws {
        let deny = try decide("GET", "api.example.com", "/v1/x?token=s3cret", [try rule("r1", "api.example.com", .deny)])
        #expect(deny.reason == "egress rule r1 denies GET api.example.com/v1/x")
        let allow = try decide("GET", "api.example.com", "/v1/x?token=s3cret", [try rule("r2", "api.example.com", .allow)])
        #expect(allow.reason == "egress rule r2 allows GET api.example.com/v1/x")
        let refused = try decide("GET", "api.example.com", "/%2f?token=s3cret", [])
        #expect(!refused.reason.contains("s3cret"))
    }
}
