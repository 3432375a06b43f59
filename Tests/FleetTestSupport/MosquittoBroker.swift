import FleetPKI
import Foundation

/// Mosquitto (Debian's `mosquitto`) as a real MQTT broker with mutual TLS on 127.0.0.1:
/// `require_certificate true`, `use_identity_as_username true`, the PKI's CRL, its own config
/// file, started and stopped by pid (DESIGN.md §7).
public final class MosquittoBroker: Sendable {
    public let port: Int
    public let process: ForeignProcess

    /// - Parameter version: "1.2" or "1.3" to allow only that version; nil allows both.
    /// - Parameter extra: more configuration lines (`acl_file …`, `clientid_prefixes …`, `password_file …`).
    /// - Parameter identityAsUsername: false: devices log in with their CONNECT user name and password.
    public convenience init(
        layout: PKILayout,
        version: String?,
        in directory: TemporaryDirectory,
        crl: Bool = true,
        extra: String = "",
        identityAsUsername: Bool = true
    ) async throws {
        try await self.init(
            cafile: layout.rootCertificate,
            certfile: layout.serverCertificate,
            keyfile: layout.serverKey,
            crlfile: crl ? layout.crl : nil,
            version: version,
            in: directory,
            extra: extra,
            identityAsUsername: identityAsUsername
        )
    }

    /// From files: what it trusts for devices, its own certificate (leaf, then chain) and key, a CRL.
    public init(
        cafile: String,
        certfile: String,
        keyfile: String,
        crlfile: String?,
        version: String?,
        in directory: TemporaryDirectory,
        extra: String = "",
        identityAsUsername: Bool = true
    ) async throws {
        (self.process, self.port) = try await ForeignProcess.listening(ready: "running", name: "mosquitto") { port in
            var config = """
                per_listener_settings false
                allow_anonymous false
                persistence false
                log_dest stderr
                log_type error
                log_type warning
                log_type notice
                log_type information
                user root
                listener \(port) 127.0.0.1
                cafile \(cafile)
                certfile \(certfile)
                keyfile \(keyfile)
                require_certificate true
                use_identity_as_username \(identityAsUsername)
                \(extra)

                """
            if let crlfile { config += "crlfile \(crlfile)\n" }
            if let version { config += "tls_version tlsv\(version)\n" }
            let configPath = try directory.write("mosquitto-\(port).conf", config)
            let executable =
                FileManager.default.isExecutableFile(atPath: "/usr/sbin/mosquitto")
                ? "/usr/sbin/mosquitto" : "mosquitto"
            return try ForeignProcess(executable, ["-c", configPath], in: directory, name: "mosquitto-\(port)")
        }
    }

    public func stop() { self.process.stop() }
}
