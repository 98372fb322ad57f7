import Foundation
import Testing
@testable import API
@testable import Core
import HTTP
import Store

@Suite struct RuleTests {
    @Test func createListAndDeleteARule() async throws {
        try await withFixture { f in
            let created = try await f.post("/v1/rules", as: f.admin, json: """
                {"host":"api.github.com","methods":["GET","POST"],"path_prefix":"/repos/","action":"approve",
                 "rate_limit_per_minute":60,"comment":"unknown fields are ignored"}
                """)
            #expect(created.status == 201, "\(created)")
            #expect(IDGenerator.isValid(created.id, kind: .rule))
            #expect(Set(created.json.object?.keys.map { $0 } ?? []) ==
                    ["id", "object", "host", "methods", "path_prefix", "action", "rate_limit_per_minute", "created_at"])
            #expect(created.json["object"]?.string == "rule")
            #expect(created.json["host"]?.string == "api.github.com")
            #expect(created.json["methods"]?.array?.compactMap(\.string) == ["GET", "POST"])
            #expect(created.json["path_prefix"]?.string == "/repos/")
            #expect(created.json["action"]?.string == "approve")
            #expect(created.json["rate_limit_per_minute"]?.int == 60)
            #expect(created.json["created_at"]?.string.flatMap(Timestamp.parse) != nil)

            let minimal = try await f.post("/v1/rules", as: f.admin, json: #"{"host":"*.example.com","action":"deny"}"#)
            #expect(minimal.status == 201, "\(minimal)")
            #expect(minimal.json["methods"]?.isNull == true)
            #expect(minimal.json["path_prefix"]?.isNull == true)
            #expect(minimal.json["rate_limit_per_minute"]?.isNull == true)

            let list = try await f.get("/v1/rules", as: f.admin)
            #expect(list.status == 200)
            #expect(list.ids == [minimal.id, created.id], "newest first")
            #expect(list.json["data"]?[1] == created.json, "listed as created")
            #expect(try await f.get("/v1/rules?order=asc&limit=1", as: f.operatorKey).ids == [created.id])

            // What the proxy loads: every rule, oldest first, typed.
            let loaded = try await f.core.listRules()
            #expect(loaded.map(\.id) == [created.id, minimal.id])
            #expect(loaded[0].action == .approve && loaded[0].methods == ["GET", "POST"] && loaded[0].rateLimitPerMinute == 60)
            #expect(loaded[0].createdBy == f.admin.id)

            let deleted = try await f.send("DELETE", "/v1/rules/\(created.id)", as: f.admin)
            #expect(deleted.status == 200)
            #expect(deleted.json == .object(["deleted": .bool(true), "id": .string(created.id), "object": .string("rule")]))
            #expect(try await f.get("/v1/rules", as: f.admin).ids == [minimal.id])
            let again = try await f.send("DELETE", "/v1/rules/\(created.id)", as: f.admin)
            #expect(again.status == 404)
            #expect(again.errorCode == "rule_not_found")

            let audit = try await f.get("/v1/audit?kind=rule.created&order=asc", as: f.admin)
            #expect(audit.json["data"]?.array?.compactMap { $0["subject_id"]?.string } == [created.id, minimal.id])
            #expect(audit.json["data"]?[0]?["actor"]?.string == f.admin.id)
            #expect(audit.json["data"]?[0]?["detail"]?["host"]?.string == "api.github.com")
            #expect(audit.json["data"]?[0]?["detail"]?["action"]?.string == "approve")
            let deletions = try await f.get("/v1/audit?kind=rule.deleted", as: f.admin)
            #expect(deletions.json["data"]?.array?.compactMap { $0["subject_id"]?.string } == [created.id])
        }
    }

    @Test func fieldsAreNormalised() async throws {
        try await withFixture { f in
            let cases: [(String, String, JSONValue)] = [
                (#"{"host":"API.Example.COM.","action":"allow"}"#, "host", .string("api.example.com")),
                (#"{"host":"*.Internal.Example","action":"allow"}"#, "host", .string("*.internal.example")),
                (#"{"host":"10.0.0.5","action":"allow"}"#, "host", .string("10.0.0.5")),
                (#"{"host":"[FD00:0:0:0::1]","action":"allow"}"#, "host", .string("[fd00::1]")),
                (#"{"host":"a.b","methods":["get","GET","Post","x-custom"],"action":"allow"}"#, "methods",
                 .array([.string("GET"), .string("POST"), .string("X-CUSTOM")])),
                (#"{"host":"a.b","methods":null,"path_prefix":null,"rate_limit_per_minute":null,"action":"allow"}"#,
                 "methods", .null),
                (#"{"host":"a.b","path_prefix":"/v1/files%20x/@:;=,","action":"allow"}"#, "path_prefix",
                 .string("/v1/files%20x/@:;=,")),
            ]
            for (body, field, expected) in cases {
                let reply = try await f.post("/v1/rules", as: f.admin, json: body)
                #expect(reply.status == 201, "\(body): \(reply)")
                #expect(reply.json[field] == expected, "\(body): \(reply)")
            }
        }
    }

    static let invalidRules: [(body: String, param: String, message: String)] = [
        (#"{"action":"allow"}"#, "host", "required"),
        (#"{"host":"example.com"}"#, "action", "required"),
        (#"{"host":5,"action":"allow"}"#, "host", "must be a string"),
        (#"{"host":"","action":"allow"}"#, "host", "empty"),
        (#"{"host":"https://api.example.com","action":"allow"}"#, "host", "scheme"),
        (#"{"host":"api.example.com:443","action":"allow"}"#, "host", "port"),
        (#"{"host":"api.example.com/v1","action":"allow"}"#, "host", "path_prefix"),
        (#"{"host":"user@api.example.com","action":"allow"}"#, "host", "user"),
        (#"{"host":"*","action":"allow"}"#, "host", "every host"),
        (#"{"host":"a.*.example.com","action":"allow"}"#, "host", "first label"),
        (#"{"host":"*example.com","action":"allow"}"#, "host", "first label"),
        (#"{"host":"*.*.example.com","action":"allow"}"#, "host", "first label"),
        (#"{"host":"exa mple.com","action":"allow"}"#, "host", "spaces"),
        (#"{"host":"example.com\t","action":"allow"}"#, "host", "control characters"),
        (#"{"host":"bücher.de","action":"allow"}"#, "host", "xn--"),
        (#"{"host":"-api.example.com","action":"allow"}"#, "host", "not a host name"),
        (#"{"host":"api..example.com","action":"allow"}"#, "host", "not a host name"),
        (#"{"host":"api_x.example.com","action":"allow"}"#, "host", "not a host name"),
        (#"{"host":"256.1.1.1","action":"allow"}"#, "host", "IPv4"),
        (#"{"host":"10.0.0","action":"allow"}"#, "host", "IPv4"),
        (#"{"host":"010.0.0.1","action":"allow"}"#, "host", "leading zeros"),
        (#"{"host":"*.0.0.1","action":"allow"}"#, "host", "IPv4"),
        (#"{"host":"[::1","action":"allow"}"#, "host", "IPv6"),
        (#"{"host":"[fe80::1%eth0]","action":"allow"}"#, "host", "zone"),
        (#"{"host":"[not-an-address]","action":"allow"}"#, "host", "IPv6"),
        (#"{"host":"a.b","methods":[],"action":"allow"}"#, "methods", "leave it out"),
        (#"{"host":"a.b","methods":"GET","action":"allow"}"#, "methods", "must be an array"),
        (#"{"host":"a.b","methods":["GET","TRACE"],"action":"allow"}"#, "methods[1]", "TRACE"),
        (#"{"host":"a.b","methods":["connect"],"action":"allow"}"#, "methods[0]", "CONNECT"),
        (#"{"host":"a.b","methods":["GE T"],"action":"allow"}"#, "methods[0]", "not an HTTP method"),
        (#"{"host":"a.b","methods":[""],"action":"allow"}"#, "methods[0]", "not an HTTP method"),
        (#"{"host":"a.b","methods":["GET",7],"action":"allow"}"#, "methods[1]", "must be a string"),
        ("{\"host\":\"a.b\",\"methods\":[\(Array(repeating: "\"GET\"", count: 33).joined(separator: ","))],\"action\":\"allow\"}",
         "methods", "at most 32"),
        (#"{"host":"a.b","path_prefix":"v1/","action":"allow"}"#, "path_prefix", "start with '/'"),
        (#"{"host":"a.b","path_prefix":"/v1/../admin","action":"allow"}"#, "path_prefix", "'..'"),
        (#"{"host":"a.b","path_prefix":"/v1/./x","action":"allow"}"#, "path_prefix", "'..'"),
        (#"{"host":"a.b","path_prefix":"/v1/..","action":"allow"}"#, "path_prefix", "'..'"),
        (#"{"host":"a.b","path_prefix":"/v1//x","action":"allow"}"#, "path_prefix", "'//'"),
        (#"{"host":"a.b","path_prefix":"/v1%2fadmin","action":"allow"}"#, "path_prefix", "encoded slash"),
        (#"{"host":"a.b","path_prefix":"/v1%2Fadmin","action":"allow"}"#, "path_prefix", "encoded slash"),
        (#"{"host":"a.b","path_prefix":"/v1%5cadmin","action":"allow"}"#, "path_prefix", "encoded slash"),
        (#"{"host":"a.b","path_prefix":"/v1/%2e%2e/admin","action":"allow"}"#, "path_prefix", "encoded dot"),
        (#"{"host":"a.b","path_prefix":"/v1%zz","action":"allow"}"#, "path_prefix", "%HH"),
        (#"{"host":"a.b","path_prefix":"/v1%2","action":"allow"}"#, "path_prefix", "%HH"),
        (#"{"host":"a.b","path_prefix":"/v1?x=1","action":"allow"}"#, "path_prefix", "query"),
        (#"{"host":"a.b","path_prefix":"/v1#top","action":"allow"}"#, "path_prefix", "fragment"),
        (#"{"host":"a.b","path_prefix":"/v1 x","action":"allow"}"#, "path_prefix", "percent-encode"),
        (#"{"host":"a.b","path_prefix":"/v1\\x","action":"allow"}"#, "path_prefix", "percent-encode"),
        (#"{"host":"a.b","path_prefix":"/ü","action":"allow"}"#, "path_prefix", "percent-encode"),
        (#"{"host":"a.b","path_prefix":"/v1\u0000","action":"allow"}"#, "path_prefix", "percent-encode"),
        (#"{"host":"a.b","action":"block"}"#, "action", "allow, deny, approve"),
        (#"{"host":"a.b","action":"ALLOW"}"#, "action", "allow, deny, approve"),
        (#"{"host":"a.b","action":true}"#, "action", "must be a string"),
        (#"{"host":"a.b","action":"allow","rate_limit_per_minute":0}"#, "rate_limit_per_minute", "1 to 100000"),
        (#"{"host":"a.b","action":"allow","rate_limit_per_minute":100001}"#, "rate_limit_per_minute", "1 to 100000"),
        (#"{"host":"a.b","action":"allow","rate_limit_per_minute":-5}"#, "rate_limit_per_minute", "1 to 100000"),
        (#"{"host":"a.b","action":"allow","rate_limit_per_minute":1.5}"#, "rate_limit_per_minute", "whole number"),
        (#"{"host":"a.b","action":"allow","rate_limit_per_minute":1e300}"#, "rate_limit_per_minute", "1 to 100000"),
        (#"{"host":"a.b","action":"allow","rate_limit_per_minute":"10"}"#, "rate_limit_per_minute", "must be a number"),
        (#"{"host":"a.b","action":"deny","rate_limit_per_minute":10}"#, "rate_limit_per_minute", "deny"),
    ]

    /// Every rejection is a 400 naming the field, with a message that says what to do, and
    /// leaves no rule and no audit record behind.
    @Test func invalidRulesAre400WithTheirParamAndStoreNothing() async throws {
        try await withFixture { f in
            let auditBefore = try await f.count("audit")
            for (body, param, message) in Self.invalidRules {
                let reply = try await f.post("/v1/rules", as: f.admin, json: body)
                #expect(reply.status == 400, "\(body): \(reply)")
                #expect(reply.errorType == "invalid_request", "\(body): \(reply)")
                #expect(reply.errorParam == param, "\(body): \(reply)")
                let text = reply.json["error"]?["message"]?.string ?? ""
                #expect(text.contains(message), "\(body): \(text)")
            }
            #expect(try await f.count("egress_rules") == 0)
            #expect(try await f.count("audit") == auditBefore)
        }
    }

    @Test func aBodyThatIsNotJSONIsRefused() async throws {
        try await withFixture { f in
            #expect(try await f.post("/v1/rules", as: f.admin).errorCode == "missing_body")
            #expect(try await f.post("/v1/rules", as: f.admin, json: "[1]").status == 400)
            let typed = try await f.send("POST", "/v1/rules", as: f.admin, json: #"{"host":"a.b","action":"allow"}"#,
                                         headers: [("Content-Type", "text/plain")])
            #expect(typed.status == 415)
            #expect(try await f.count("egress_rules") == 0)
        }
    }

    @Test func anIdempotentReplayReturnsTheSameRule() async throws {
        try await withFixture { f in
            let body = #"{"host":"pypi.org","action":"allow"}"#
            let first = try await f.post("/v1/rules", as: f.admin, json: body, headers: [("Idempotency-Key", "rule-1")])
            let replay = try await f.post("/v1/rules", as: f.admin, json: body, headers: [("Idempotency-Key", "rule-1")])
            #expect(first.status == 201 && replay.status == 201)
            #expect(replay.headers["Idempotent-Replayed"] == "true")
            #expect(replay.body == first.body)
            let reused = try await f.post("/v1/rules", as: f.admin, json: #"{"host":"pypi.org","action":"deny"}"#,
                                          headers: [("Idempotency-Key", "rule-1")])
            #expect(reused.status == 409 && reused.errorCode == "idempotency_key_reused")
            #expect(try await f.count("egress_rules") == 1)
        }
    }

    @Test func listsPageLikeEveryOtherList() async throws {
        try await withFixture { f in
            var ids: [String] = []
            for n in 0..<5 {
                ids.append(try await f.post("/v1/rules", as: f.admin, json: #"{"host":"h\#(n).example","action":"allow"}"#).id)
            }
            let first = try await f.get("/v1/rules?limit=2&order=asc", as: f.admin)
            #expect(first.ids == Array(ids[0..<2]) && first.json["has_more"]?.bool == true)
            let next = try await f.get("/v1/rules?limit=2&order=asc&after=\(ids[1])", as: f.admin)
            #expect(next.ids == Array(ids[2..<4]))
            let back = try await f.get("/v1/rules?limit=2&order=asc&before=\(ids[2])", as: f.admin)
            #expect(back.ids == Array(ids[0..<2]))
            #expect(try await f.get("/v1/rules?limit=0", as: f.admin).errorParam == "limit")
        }
    }
}
