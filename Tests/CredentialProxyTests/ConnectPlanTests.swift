@testable import CredentialProxy
import Testing

/// Which CONNECTs are tunnelled unseen, which are intercepted so each request inside can be
/// decided, and which are refused outright (SPEC §5).
@Suite("CONNECT: tunnel, intercept or refuse")
struct ConnectPlanTests {
    static let host = try! EgressHost(parsing: "api.example.com") // swiftlint:disable:this force_try

    static func plan(_ rules: [EgressRule], credential: Bool = false,
                     modelHosts: [EgressHost] = []) throws(ForwardProxyError) -> ForwardProxy.ConnectPlan {
        try ForwardProxy.connectPlan(host: host, rules: rules, modelHosts: modelHosts, hasCredential: credential)
    }

    @Test func aWholeHostAllowWithNothingToInjectIsTunnelled() throws {
        let allow = try EgressRule(id: "r1", host: "*.example.com", action: .allow)
        guard case .tunnel(let decision) = try Self.plan([allow]) else { Issue.record("not tunnelled"); return }
        #expect(decision.rule?.id == "r1")
    }

    @Test func aCredentialOnTheHostMeansInterception() throws {
        let allow = try EgressRule(id: "r1", host: "api.example.com", action: .allow)
        #expect(try Self.plan([allow], credential: true) == .intercept)
    }

    @Test func rulesThatDecideByPathOrMethodMeanInterception() throws {
        let narrowAllow = try EgressRule(id: "r1", host: "api.example.com", pathPrefix: "/v1", action: .allow)
        #expect(try Self.plan([narrowAllow]) == .intercept)
        let allow = try EgressRule(id: "r2", host: "api.example.com", action: .allow)
        let narrowDeny = try EgressRule(id: "r3", host: "api.example.com", methods: ["DELETE"], action: .deny)
        #expect(try Self.plan([allow, narrowDeny]) == .intercept)
        // A narrower deny on a less specific host loses to the exact allow for every request.
        let wildDeny = try EgressRule(id: "r4", host: "*.example.com", methods: ["DELETE"], action: .deny)
        guard case .tunnel = try Self.plan([allow, wildDeny]) else { Issue.record("not tunnelled"); return }
    }

    @Test func anApproveRuleMeansInterceptionSoEachRequestCanBeHeld() throws {
        let approve = try EgressRule(id: "r1", host: "api.example.com", action: .approve)
        #expect(try Self.plan([approve]) == .intercept)
    }

    @Test func aModelHostIsInterceptedSinceItsKeyIsACredential() throws {
        guard case .tunnel = try Self.plan([], modelHosts: [Self.host]) else { Issue.record("not tunnelled"); return }
        #expect(try Self.plan([], credential: true, modelHosts: [Self.host]) == .intercept)
    }

    @Test func aHostNoRuleLetsAnythingThroughIsRefusedAtTheConnect() throws {
        #expect(throws: ForwardProxyError.self) { try Self.plan([]) }
        #expect(throws: ForwardProxyError.self) { try Self.plan([], credential: true) }
        let deny = try EgressRule(id: "r1", host: "api.example.com", action: .deny)
        let denyPart = try EgressRule(id: "r2", host: "api.example.com", pathPrefix: "/admin", action: .deny)
        #expect(throws: ForwardProxyError.self) { try Self.plan([deny, denyPart]) }
        let other = try EgressRule(id: "r3", host: "other.example.com", action: .allow)
        #expect(throws: ForwardProxyError.self) { try Self.plan([other]) }
    }
}
