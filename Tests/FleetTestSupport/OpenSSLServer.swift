import FleetPKI
import Foundation

/// `openssl s_server` as a foreign mutual-TLS server on 127.0.0.1, with `-verify_return_error`
/// (without it, s_server accepts bad client certificates).
public final class OpenSSLServer: Sendable {
    public let port: Int
    public let process: ForeignProcess

    /// Starts s_server with `server` as its identity, trusting `clientCAPEM` for client certificates.
    /// - Parameters:
    ///   - version: "1.2" or "1.3" to force one version; nil allows both.
    ///   - alpn: the ALPN protocols s_server accepts (`-alpn`); see the other initializer.
    public convenience init(
        server: IssuedIdentity,
        clientCAPEM: String,
        version: String?,
        in directory: TemporaryDirectory,
        requireClientCertificate: Bool = true,
        alpn: [String]? = nil,
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
            alpn: alpn,
            extraArguments: extraArguments
        )
    }

    /// Starts s_server from files: its leaf, the intermediates it sends, its key, and the CA bundle
    /// it verifies clients against. Add `["-CRL", path, "-crl_check"]` to check revocation.
    ///
    /// With `alpn`, s_server accepts those protocols (`-alpn a,b`: the first of its list the client
    /// offered; a client offering none of them gets `no_application_protocol`) and prints each
    /// client's offer, `ALPN protocols advertised by the client: …`. It prints that to a stdout
    /// it flushes only at its next "ACCEPT" banner, so it then runs under `stdbuf -oL`: a test
    /// polling the output sees the line as soon as it is written.
    public init(
        certificate leaf: String,
        chain: String,
        key: String,
        clientCA ca: String,
        version: String?,
        in directory: TemporaryDirectory,
        requireClientCertificate: Bool = true,
        alpn: [String]? = nil,
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
            guard let alpn else {
                return try ForeignProcess("openssl", arguments, in: directory, name: "s_server-\(tag)-\(port)")
            }
            arguments += ["-alpn", alpn.joined(separator: ",")]
            return try ForeignProcess(
                "stdbuf",
                ["-oL", "openssl"] + arguments,
                in: directory,
                name: "s_server-\(tag)-\(port)"
            )
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
