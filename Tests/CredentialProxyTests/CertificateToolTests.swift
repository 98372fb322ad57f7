@testable import CredentialProxy
import Foundation
import Testing

/// The certificates as the tools in an agent's container see them: the openssl CLI, Python's
/// ssl module, curl (OpenSSL) and git (libcurl-gnutls on Debian 12), each trusting only the
/// Warden CA. Each part is skipped, and says so, when its tool is not installed.
@Suite("Proxy CA: accepted by system tools")
struct CertificateToolTests {
    static let openssl = executable("/usr/bin/openssl", "/usr/local/bin/openssl")
    static let python = executable("/usr/bin/python3", "/usr/local/bin/python3")

    /// ca.crt (where warden wrote it), and leaf.crt / leaf.key for `host` beside it.
    struct Files {
        let ca: String
        let leaf: String
        let key: String
        let directory: String
    }

    func withFiles(host: String, _ body: (Files) throws -> Void) throws {
        try withProxyCA { ca, directory in
            let leaf = try ca.issueLeaf(for: CertificateHost(host), now: Date())
            let files = Files(ca: ca.certificatePath, leaf: directory + "/leaf.crt", key: directory + "/leaf.key", directory: directory)
            try leaf.certificate.pem.write(toFile: files.leaf, atomically: false, encoding: .utf8)
            var keyPEM = try leaf.privateKey.pkcs8PEM()
            defer { for i in keyPEM.indices { keyPEM[i] = 0 } }
            #expect(FileManager.default.createFile(atPath: files.key, contents: Data(keyPEM), attributes: [.posixPermissions: 0o600]))
            try body(files)
        }
    }

    @Test(.enabled(if: openssl != nil, "needs the openssl CLI"))
    func opensslVerifyAcceptsTheLeafForItsHostOnly() throws {
        try withFiles(host: "api.example.com") { files in
            let openssl = try #require(Self.openssl)
            let base = ["verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", files.ca]
            let good = try runTool(openssl, base + ["-verify_hostname", "api.example.com", files.leaf])
            #expect(good.status == 0, "\(good.output)")
            #expect(good.output.contains("OK"))
            let wrong = try runTool(openssl, base + ["-verify_hostname", "other.example.com", files.leaf])
            #expect(wrong.status != 0, "\(wrong.output)")
            #expect(wrong.output.contains("hostname mismatch"))

            let text = try runTool(openssl, ["x509", "-noout", "-text", "-in", files.ca])
            #expect(text.output.contains("CA:TRUE, pathlen:0"))
            #expect(text.output.contains("Certificate Sign, CRL Sign"))
            #expect(text.output.contains("ASN1 OID: prime256v1"))
        }
    }

    @Test(.enabled(if: openssl != nil, "needs the openssl CLI"))
    func opensslVerifiesAnIPAddressLeaf() throws {
        try withFiles(host: "127.0.0.1") { files in
            let openssl = try #require(Self.openssl)
            let base = ["verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", files.ca]
            #expect(try runTool(openssl, base + ["-verify_ip", "127.0.0.1", files.leaf]).status == 0)
            #expect(try runTool(openssl, base + ["-verify_ip", "127.0.0.2", files.leaf]).status != 0)
        }
    }

    @Test(.enabled(if: python != nil, "needs python3"))
    func pythonCurlAndGitCompleteAHandshakeTrustingOnlyTheWardenCA() throws {
        try withFiles(host: "api.example.com") { files in
            let script = files.directory + "/handshake.py"
            try Self.handshakeScript.write(toFile: script, atomically: false, encoding: .utf8)
            let run = try runTool(try #require(Self.python), [script, files.ca, files.leaf, files.key, "api.example.com", files.directory])
            try #require(run.status == 0, "\(run.output)")
            let results = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)")

            #expect((results["python"] as? String)?.hasPrefix("ok TLSv1.3") == true, "\(results)")
            #expect((results["python_other_host"] as? String)?.contains("Hostname mismatch") == true, "\(results)")

            let curl = results["curl"] as? [String: Any]
            if curl?["output"] as? String == "missing" {
                print("curl is not installed: its part of the check was skipped")
            } else {
                #expect(curl?["status"] as? Int == 0, "\(results)")
                #expect(curl?["output"] as? String == "hello from warden", "\(results)")
                let other = results["curl_other_host"] as? [String: Any]
                #expect(other?["status"] as? Int == 60, "curl's 'peer certificate cannot be authenticated': \(results)")
            }

            // git gets as far as HTTP (a 404 for the repository) only if GnuTLS accepted the chain.
            let git = results["git"] as? [String: Any]
            if git?["output"] as? String == "missing" {
                print("git is not installed: its part of the check was skipped")
            } else {
                let requests = results["requests"] as? [String] ?? []
                #expect(requests.contains { $0.hasPrefix("GET /repo.git/info/refs") }, "\(results)")
                let output = (git?["output"] as? String ?? "").lowercased()
                #expect(!output.contains("certificate") && !output.contains("ssl"), "\(results)")
            }
        }
    }

    static let handshakeScript = #"""
# Serves HTTPS with a Warden leaf and connects to it with Python's ssl, curl and git (GnuTLS),
# each trusting only the Warden CA. Prints one JSON object: what each client saw.
import json, os, socket, ssl, subprocess, sys, threading

ca, cert, key, host, home = sys.argv[1:6]
server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server_context.load_cert_chain(cert, key)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
port = listener.getsockname()[1]
requests = []

def serve():
    while True:
        conn, _ = listener.accept()
        try:
            with server_context.wrap_socket(conn, server_side=True) as tls:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = tls.recv(4096)
                    if not chunk: break
                    head += chunk
                line = head.split(b"\r\n", 1)[0].decode("latin-1")
                requests.append(line)
                found = line.startswith("GET / ")
                body = b"hello from warden\n" if found else b"not found\n"
                status = b"200 OK" if found else b"404 Not Found"
                tls.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain\r\nContent-Length: "
                            + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        except (ssl.SSLError, OSError):
            pass  # a client that refused the certificate

threading.Thread(target=serve, daemon=True).start()
results = {}

def python_client(name):
    context = ssl.create_default_context(cafile=ca)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=name) as tls:
                return "ok " + tls.version()
    except ssl.SSLCertVerificationError as error:
        return "refused: " + error.verify_message

results["python"] = python_client(host)
results["python_other_host"] = python_client("other." + host)

env = dict(os.environ, NO_PROXY="*", no_proxy="*", HOME=home, GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
for name in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy",
             "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO"]:
    env.pop(name, None)

def run(arguments):
    try:
        done = subprocess.run(arguments, env=env, capture_output=True, text=True, timeout=30)
        return {"status": done.returncode, "output": (done.stdout + done.stderr).strip()}
    except FileNotFoundError:
        return {"status": -1, "output": "missing"}

resolve = "%s:%d:127.0.0.1" % (host, port)
url = "https://%s:%d/" % (host, port)
results["curl"] = run(["curl", "-sS", "--cacert", ca, "--resolve", resolve, url])
results["curl_other_host"] = run(["curl", "-sS", "--cacert", ca, "--resolve", "other.%s:%d:127.0.0.1" % (host, port),
                                  "https://other.%s:%d/" % (host, port)])
results["git"] = run(["git", "-c", "http.sslCAInfo=" + ca, "-c", "http.curloptResolve=" + resolve,
                      "ls-remote", url + "repo.git"])
results["requests"] = requests
print(json.dumps(results))
"""#
}
