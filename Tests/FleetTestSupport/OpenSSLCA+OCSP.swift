import Foundation

/// OCSP for openssl-made PKIs: a server certificate naming a responder (AIA), and the responses
/// `openssl s_server -status_file` staples, made by `openssl ocsp` from the CA's own database.
extension OpenSSLCA {
    /// The status a stapled response gives, and who signs it.
    public enum StapledStatus: Sendable {
        /// The CA's database as it is (good, or revoked after ``revoke(_:)``), signed by the CA.
        case fromDatabase
        /// Signed by another CA's key: a response that must not verify.
        case signedBy(OpenSSLCA)
        /// The certificate is not in the database: status unknown.
        case unknown
        /// Good, but thisUpdate two days and nextUpdate one day ago (Python's `cryptography`:
        /// `openssl ocsp` only dates responses from now).
        case stale
        /// Good, thisUpdate an hour ago and nextUpdate a day ahead: current, and distinct from a
        /// response `openssl ocsp` makes now (a server that re-read its staple shows this one).
        case backdated
    }

    /// A server certificate (serverAuth, `localhost` and 127.0.0.1) whose AIA names `ocspURL`;
    /// `mustStaple` adds RFC 7633's TLS feature status_request.
    public func issueServer(_ id: String, ocspURL: String, mustStaple: Bool = false) async throws -> (String, String) {
        let extensions = self.directory.path("\(id)-ocsp.cnf")
        try """
        [ server_ocsp ]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:localhost,IP:127.0.0.1
        authorityInfoAccess = OCSP;URI:\(ocspURL)
        \(mustStaple ? "tlsfeature = status_request" : "")
        """.write(toFile: extensions, atomically: true, encoding: .utf8)
        let key = self.directory.path("\(id).key")
        let csr = self.directory.path("\(id).csr")
        let certificate = self.directory.path("\(id).pem")
        try await self.openssl(
            ["req", "-new", "-config", self.config, "-nodes", "-subj", "/CN=\(id)", "-keyout", key, "-out", csr]
                + Self.keyArguments(rsa: nil)
        )
        try await self.openssl([
            "ca", "-batch", "-notext", "-config", self.config, "-cert", self.certificate, "-keyfile", self.key,
            "-in", csr, "-out", certificate, "-extensions", "server_ocsp", "-extfile", extensions, "-days", "30",
        ])
        return (certificate, key)
    }

    /// A DER OCSP response for `certificate` (issued by this CA), valid one day, without a nonce
    /// (as a stapled response is: fetched before any client asked). Returns its path.
    public func ocspResponse(for certificate: String, _ status: StapledStatus, name: String) async throws -> String {
        let out = self.directory.path("\(name).der")
        var index = self.directory.path("\(self.name)-state/index.txt")
        var signer = self
        switch status {
        case .fromDatabase:
            break
        case .signedBy(let other):
            signer = other
        case .unknown:
            index = self.directory.path("\(name)-empty-index.txt")
            try "".write(toFile: index, atomically: true, encoding: .utf8)
        case .stale:
            try await self.datedResponse(for: certificate, out: out, hours: (-48, -24))
            return out
        case .backdated:
            try await self.datedResponse(for: certificate, out: out, hours: (-1, 24))
            return out
        }
        try await self.openssl([
            "ocsp", "-index", index, "-rsigner", signer.certificate, "-rkey", signer.key, "-CA", self.certificate,
            "-issuer", self.certificate, "-cert", certificate, "-no_nonce", "-respout", out, "-ndays", "1",
        ])
        return out
    }

    /// A good response with thisUpdate and nextUpdate `hours` from now.
    private func datedResponse(for certificate: String, out: String, hours: (Int, Int)) async throws {
        let script = """
            import datetime, sys
            from cryptography import x509
            from cryptography.x509 import ocsp
            from cryptography.hazmat.primitives import hashes, serialization
            cert = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
            ca = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
            key = serialization.load_pem_private_key(open(sys.argv[3], "rb").read(), None)
            now = datetime.datetime.now(datetime.timezone.utc)
            builder = ocsp.OCSPResponseBuilder().add_response(
                cert=cert, issuer=ca, algorithm=hashes.SHA1(), cert_status=ocsp.OCSPCertStatus.GOOD,
                this_update=now + datetime.timedelta(hours=int(sys.argv[5])),
                next_update=now + datetime.timedelta(hours=int(sys.argv[6])),
                revocation_time=None, revocation_reason=None,
            ).responder_id(ocsp.OCSPResponderEncoding.HASH, ca)
            open(sys.argv[4], "wb").write(builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
            """
        let path = self.directory.path("dated-ocsp.py")
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await ForeignProcess.run(
            "python3",
            [path, certificate, self.certificate, self.key, out, "\(hours.0)", "\(hours.1)"],
            in: self.directory
        )
        guard result.status == 0 else { throw ForeignProcessError("dated OCSP response:\n\(result.output)") }
    }
}

/// `openssl ocsp` as a responder for an ``OpenSSLCA``: its own database (`index.txt`), signed by
/// the CA, on a port the kernel picks (openssl prints `ACCEPT [::]:PORT`), stopped by pid.
public final class OpenSSLOCSPResponder: Sendable {
    public let process: ForeignProcess
    public let port: Int

    public init(ca: OpenSSLCA, in directory: TemporaryDirectory) async throws {
        let process = try ForeignProcess(
            "/usr/bin/openssl",
            [
                "ocsp", "-index", directory.path("\(ca.name)-state/index.txt"), "-port", "0", "-rsigner",
                ca.certificate,
                "-rkey", ca.key, "-CA", ca.certificate, "-ndays", "1",
            ],
            in: directory,
            name: "openssl-ocsp-\(UUID().uuidString.prefix(6))"
        )
        do {
            try await process.waitForOutput("ACCEPT")
            guard let match = process.output.firstMatch(of: #/ACCEPT \S*:(\d+) /#), let port = Int(match.1) else {
                throw ForeignProcessError("openssl ocsp printed no port:\n\(process.output)")
            }
            self.port = port
        } catch {
            process.stop()
            throw error
        }
        self.process = process
    }

    public func stop() { self.process.stop() }
}
