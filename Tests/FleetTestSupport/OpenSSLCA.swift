import Foundation

/// A CA driven by the `openssl` CLI (`openssl req`/`openssl ca`, explicit dates and extension
/// sections) in a temporary directory: PKIs for tests that fleetsim's own `pki` did not make, so
/// our tool is not the only judge of itself.
public struct OpenSSLCA: Sendable {
    public let directory: TemporaryDirectory
    public let name: String

    public var certificate: String { self.directory.path("\(self.name).pem") }
    public var key: String { self.directory.path("\(self.name).key") }
    public var config: String { self.directory.path("\(self.name).cnf") }

    static let extensions = """
        [ v3_ca ]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [ client ]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = clientAuth
        [ server_only ]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth
        [ no_eku ]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        [ server ]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:localhost,IP:127.0.0.1
        [ ca_leaf ]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,digitalSignature,keyCertSign
        extendedKeyUsage = clientAuth
        """

    /// A self-signed CA (`rsa` for SHA-1 signing).
    public static func make(_ name: String, in directory: TemporaryDirectory, rsa: Bool = false) async throws
        -> OpenSSLCA
    {
        let ca = try Self.prepare(name, in: directory)
        try await ca.openssl(
            [
                "req", "-x509", "-config", ca.config, "-extensions", "v3_ca", "-nodes", "-days", "30", "-subj",
                "/CN=\(name)",
                "-keyout", ca.key, "-out", ca.certificate,
            ] + Self.keyArguments(rsa: rsa ? 2048 : nil)
        )
        return ca
    }

    /// An intermediate (issuing) CA signed by this one: root → intermediate → leaf chains.
    public func issueIntermediate(_ name: String) async throws -> OpenSSLCA {
        let sub = try Self.prepare(name, in: self.directory)
        let csr = self.directory.path("\(name).csr")
        try await self.openssl(
            ["req", "-new", "-config", sub.config, "-nodes", "-subj", "/CN=\(name)", "-keyout", sub.key, "-out", csr]
                + Self.keyArguments(rsa: nil)
        )
        try await self.openssl(
            [
                "ca", "-batch", "-notext", "-config", self.config, "-cert", self.certificate, "-keyfile", self.key,
                "-in", csr,
                "-out", sub.certificate, "-extensions", "v3_ca", "-extfile", self.config, "-days", "30",
            ])
        return sub
    }

    /// The CA's state folder and `openssl ca` configuration, before it has a certificate.
    static func prepare(_ name: String, in directory: TemporaryDirectory) throws -> OpenSSLCA {
        let ca = OpenSSLCA(directory: directory, name: name)
        let state = directory.path("\(name)-state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try "".write(toFile: "\(state)/index.txt", atomically: true, encoding: .utf8)
        try "1000\n".write(toFile: "\(state)/serial", atomically: true, encoding: .utf8)
        try """
        [ ca ]
        default_ca = own
        [ own ]
        database = \(state)/index.txt
        new_certs_dir = \(state)
        serial = \(state)/serial
        default_md = sha256
        default_crl_days = 30
        policy = any
        unique_subject = no
        [ any ]
        commonName = supplied
        serialNumber = optional
        [ loose ]
        organizationName = optional
        commonName = optional
        serialNumber = optional
        [ req ]
        distinguished_name = dn
        [ dn ]
        \(Self.extensions)
        """.write(toFile: ca.config, atomically: true, encoding: .utf8)
        return ca
    }

    public static func keyArguments(rsa bits: Int?, curve: String = "P-256") -> [String] {
        bits.map { ["-newkey", "rsa:\($0)"] } ?? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:\(curve)"]
    }

    @discardableResult
    public func openssl(_ arguments: [String]) async throws -> CommandResult {
        let result = try await ForeignProcess.run("openssl", arguments, in: self.directory)
        guard result.status == 0 else {
            throw ForeignProcessError("openssl \(arguments.joined(separator: " ")):\n\(result.output)")
        }
        return result
    }

    /// Issues a leaf with `openssl ca`; returns (certificate path, key path; PEM, the key PKCS#8).
    ///
    /// - Parameters:
    ///   - subject: the subject DN (default `/CN=<id>/serialNumber=<id>`); any subject with a CN optional.
    ///   - uri: a subjectAltName URI, for a client certificate (`extensions` is then ignored): a
    ///     device identified by its SAN, e.g. `urn:dev:tcu-42` with the subject `/O=fleet`.
    public func issue(
        _ id: String,
        extensions: String = "client",
        start: String? = nil,
        end: String? = nil,
        digest: String = "sha256",
        rsa: Int? = nil,
        curve: String = "P-256",
        subject: String? = nil,
        uri: String? = nil
    ) async throws -> (String, String) {
        let key = self.directory.path("\(id).key")
        let csr = self.directory.path("\(id).csr")
        let certificate = self.directory.path("\(id).pem")
        try await self.openssl(
            [
                "req", "-new", "-config", self.config, "-nodes", "-subj", subject ?? "/CN=\(id)/serialNumber=\(id)",
                "-keyout", key, "-out", csr,
            ]
                + Self.keyArguments(rsa: rsa, curve: curve)
        )
        var extensionFile = self.config
        var extensions = extensions
        if let uri {
            extensionFile = self.directory.path("\(id)-extensions.cnf")
            extensions = "client_uri"
            try """
            [ client_uri ]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature
            extendedKeyUsage = clientAuth
            subjectAltName = URI:\(uri)
            """.write(toFile: extensionFile, atomically: true, encoding: .utf8)
        }
        var arguments = [
            "ca", "-batch", "-notext", "-config", self.config, "-cert", self.certificate, "-keyfile", self.key,
            "-in", csr, "-out", certificate, "-extensions", extensions, "-extfile", extensionFile, "-md", digest,
        ]
        if subject != nil { arguments += ["-policy", "loose"] }
        if let start { arguments += ["-startdate", start] }
        arguments += end.map { ["-enddate", $0] } ?? ["-days", "30"]
        try await self.openssl(arguments)
        return (certificate, key)
    }

    /// Revokes a certificate this CA issued (`openssl ca -revoke`).
    public func revoke(_ certificate: String) async throws {
        try await self.openssl([
            "ca", "-config", self.config, "-cert", self.certificate, "-keyfile", self.key, "-revoke", certificate,
        ])
    }

    /// This CA's CRL (`openssl ca -gencrl`), written to `<name>.crl.pem`.
    public func crl() async throws -> String {
        let path = self.directory.path("\(self.name).crl.pem")
        try await self.openssl([
            "ca", "-gencrl", "-config", self.config, "-cert", self.certificate, "-keyfile", self.key, "-out", path,
        ])
        return path
    }
}
