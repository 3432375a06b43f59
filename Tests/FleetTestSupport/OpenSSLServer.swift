import FleetPKI
import Foundation

/// `openssl s_server` as a foreign mutual-TLS server on 127.0.0.1, with `-verify_return_error`
/// (without it, s_server accepts bad client certificates).
public final class OpenSSLServer: Sendable {
    public let port: Int
    public let process: ForeignProcess

    /// Starts s_server with `server` as its identity, trusting `clientCAPEM` for client certificates.
    /// - Parameter version: "1.2" or "1.3" to force one version; nil allows both.
    public convenience init(
        server: IssuedIdentity,
        clientCAPEM: String,
        version: String?,
        in directory: TemporaryDirectory,
        requireClientCertificate: Bool = true,
        extraArguments: [String] = []
    ) async throws {
        let tag = UUID().uuidString.prefix(6)
        try await self.init(
            certificate: try directory.write("s_server-\(tag).pem", server.certificatePEM),
            chain: try directory.write("s_server-\(tag)-chain.pem", PEMText.encode(server.intermediates)),
            key: try directory.write("s_server-\(tag).key", server.keyPEM),
            clientCA: try directory.write("s_server-\(tag)-ca.pem", clientCAPEM),
            version: version,
            in: directory,
            requireClientCertificate: requireClientCertificate,
            extraArguments: extraArguments
        )
    }

    /// Starts s_server from files: its leaf, the intermediates it sends, its key, and the CA bundle
    /// it verifies clients against. Add `["-CRL", path, "-crl_check"]` to check revocation.
    public init(
        certificate leaf: String,
        chain: String,
        key: String,
        clientCA ca: String,
        version: String?,
        in directory: TemporaryDirectory,
        requireClientCertificate: Bool = true,
        extraArguments: [String] = []
    ) async throws {
        let tag = UUID().uuidString.prefix(6)
        (self.process, self.port) = try await ForeignProcess.listening(ready: "ACCEPT", name: "openssl s_server") {
            port in
            var arguments = [
                "s_server", "-accept", "127.0.0.1:\(port)", "-cert", leaf, "-cert_chain", chain, "-key", key,
                "-CAfile", ca, "-verify_return_error", "-rev",
            ]
            arguments += requireClientCertificate ? ["-Verify", "2"] : ["-verify", "2"]
            switch version {
            case "1.2": arguments.append("-tls1_2")
            case "1.3": arguments.append("-tls1_3")
            default: break
            }
            arguments += extraArguments
            return try ForeignProcess("openssl", arguments, in: directory, name: "s_server-\(tag)-\(port)")
        }
    }

    /// A server that must never be accepted by a device with the default offer: `s_server` with
    /// `arguments` such as `-nocert -cipher ADH-AES128-SHA:@SECLEVEL=0` (anonymous DH) or a NULL cipher.
    public init(weak arguments: [String], in directory: TemporaryDirectory) async throws {
        let tag = UUID().uuidString.prefix(6)
        (self.process, self.port) = try await ForeignProcess.listening(ready: "ACCEPT", name: "openssl s_server") {
            port in
            try ForeignProcess(
                "openssl",
                ["s_server", "-accept", "127.0.0.1:\(port)", "-rev"] + arguments,
                in: directory,
                name: "s_server-weak-\(tag)-\(port)"
            )
        }
    }

    public func stop() {
        self.process.stop()
    }
}
