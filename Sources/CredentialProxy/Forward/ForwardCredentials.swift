import Foundation
import HTTP

/// The credentials that apply to one forwarded request, opened, and what they do to it: the
/// outgoing headers get each credential's header (its template filled with the secret), a
/// placeholder the agent was given is replaced wherever it appears — only because these are
/// that credential's hosts — and every secret, raw or base64, is what the relay scrubs.
struct ForwardCredentials: Sendable {
    let unsealed: [UnsealedCredential]

    /// Most specific first (see `CredentialStore.credentials(forHost:path:)`).
    var names: [String] { unsealed.map(\.credential.name) }

    /// What to scrub from the response: each secret and its base64 form.
    var secrets: [Secret] {
        var out: [Secret] = []
        for credential in unsealed {
            let secret = credential.secret
            guard !secret.isEmpty else { continue }
            for candidate in [secret, Secret(Data(secret.bytes).base64EncodedString())] where !out.contains(candidate) {
                out.append(candidate)
            }
        }
        return out
    }

    /// The agent's headers made fit to send upstream: hop-by-hop and `Proxy-*` fields dropped,
    /// framing left to the client, placeholders replaced, credential headers set.
    func outgoingHeaders(from request: Request, authority: String) -> HTTPHeaders {
        var headers = HopByHop.stripped(request.headers)
        for name in ["Host", "Content-Length", "Expect", "Accept-Encoding"] { headers.remove(name) }
        var injected: [String: Secret] = [:]
        for credential in unsealed {
            let header = credential.credential.inject.header.lowercased()
            if injected[header] == nil { injected[header] = credential.headerValue }
        }
        var out = HTTPHeaders()
        for field in headers where injected[field.name.lowercased()] == nil {
            out.add(field.name, replacingPlaceholders(in: field.value))
        }
        out.add("Host", authority)
        // A compressed response could hide a secret from the scrubber; ask for none.
        out.add("Accept-Encoding", "identity")
        for credential in unsealed {
            let header = credential.credential.inject.header
            guard let value = injected.removeValue(forKey: header.lowercased()) else { continue }
            out.add(header, value.revealText())
        }
        return out
    }

    private func replacingPlaceholders(in value: String) -> String {
        var value = value
        for credential in unsealed {
            guard let placeholder = credential.credential.placeholder, !placeholder.isEmpty,
                  value.contains(placeholder) else { continue }
            value = value.replacingOccurrences(of: placeholder, with: credential.secret.revealText())
        }
        return value
    }
}
