import FleetTestSupport
import Foundation
import Testing

/// Device identities as real users have them, all made with the `openssl` CLI under one root
/// (leaves signed by it directly, so a DER file's lone leaf is a complete chain): PEM and DER
/// certificates named `.pem`, `.crt` and `.der`; PKCS#8, SEC1 and PKCS#1 keys in PEM and DER; keys
/// encrypted with a passphrase (PKCS#8 PBES2 AES-256-CBC, PEM and DER, and legacy `Proc-Type`
/// PEM); and devices identified only by a subjectAltName URI (subject `/O=fleet`).
struct IdentityInputs {
    /// The environment variable the passphrase travels in (`--key-passphrase-env`).
    static let variable = "FLEETSIM_TEST_KEY_PASSPHRASE"
    /// A device whose file stem is its SAN URI: its MQTT client id names it as the certificate does.
    static let uriDevice = "urn:dev:tcu-42"
    /// A device identified by a SPIFFE URI, whose file stem ("spiffe-dev") cannot be that URI.
    static let spiffeDevice = "spiffe-dev"
    static let spiffeURI = "spiffe://fleet.example/tcu-43"
    /// An encrypted key that decrypts fine but is not the certificate's: the key-pair check still runs.
    static let mismatched = "enc-mismatch"

    let directory: TemporaryDirectory
    let ca: OpenSSLCA
    let identities: String
    /// Random per fixture, so a search for it finds only leaks.
    let passphrase: String
    let serverCertificate: String
    let serverKey: String
    /// Every device id → how its files were made (for messages), and the encrypted ones.
    let made: [String: String]
    let encrypted: Set<String>

    /// One device: its key (`rsa` bits or EC P-256), how its certificate and key files are written.
    struct Recipe {
        var id: String
        var rsa: Int? = nil
        var certificate: Certificate = .pem("pem")
        /// openssl arguments turning `-in KEY` into the device's key; nil: as issued (PKCS#8 PEM).
        var key: [String]? = nil
        var encrypted = false
        var subject: String? = nil
        var uri: String? = nil

        enum Certificate {
            case pem(String)  // the extension
            case der(String)
        }
    }

    static let ecEncrypt = ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "env:\(Self.variable)"]

    static let recipes: [Recipe] = [
        Recipe(id: "pem-pkcs8"),
        Recipe(id: "crt-sec1", certificate: .pem("crt"), key: ["ec"]),
        Recipe(id: "der-pkcs8der", certificate: .der("der"), key: ["pkcs8", "-topk8", "-nocrypt", "-outform", "DER"]),
        Recipe(id: "crtder-sec1der", certificate: .der("crt"), key: ["ec", "-outform", "DER"]),
        Recipe(id: "rsa-pkcs1", rsa: 2048, key: ["rsa", "-traditional"]),
        Recipe(
            id: "rsader-pkcs1der",
            rsa: 2048,
            certificate: .der("der"),
            key: ["rsa", "-traditional", "-outform", "DER"]
        ),
        Recipe(id: "enc-pkcs8", key: Self.ecEncrypt, encrypted: true),
        Recipe(
            id: "enc-pkcs8der",
            certificate: .der("der"),
            key: Self.ecEncrypt + ["-outform", "DER"],
            encrypted: true
        ),
        Recipe(
            id: "enc-sec1-legacy",
            certificate: .pem("crt"),
            key: ["ec", "-aes256", "-passout", "env:\(Self.variable)"],
            encrypted: true
        ),
        Recipe(
            id: "enc-rsa-legacy",
            rsa: 2048,
            key: ["rsa", "-traditional", "-aes256", "-passout", "env:\(Self.variable)"],
            encrypted: true
        ),
        Recipe(id: Self.mismatched, key: Self.ecEncrypt, encrypted: true),
        Recipe(id: Self.uriDevice, subject: "/O=fleet", uri: Self.uriDevice),
        Recipe(id: Self.spiffeDevice, key: Self.ecEncrypt, encrypted: true, subject: "/O=fleet", uri: Self.spiffeURI),
    ]

    static func make() async throws -> IdentityInputs {
        let directory = try TemporaryDirectory(prefix: "fleetsim-identity-inputs")
        let passphrase = "pass-\(UUID().uuidString)"
        let environment = [Self.variable: passphrase]
        let ca = try await OpenSSLCA.make("device-root", in: directory)
        let (serverCertificate, serverKey) = try await ca.issue("broker", extensions: "server")
        let identities = directory.path("identities")
        try FileManager.default.createDirectory(atPath: identities, withIntermediateDirectories: true)
        func openssl(_ arguments: [String]) async throws {
            let result = try await ForeignProcess.run("openssl", arguments, in: directory, environment: environment)
            guard result.status == 0 else {
                throw ForeignProcessError("openssl \(arguments.joined(separator: " ")):\n\(result.output)")
            }
        }
        var made: [String: String] = [:]
        for recipe in Self.recipes {
            let (certificate, issuedKey) = try await ca.issue(
                recipe.id,
                rsa: recipe.rsa,
                subject: recipe.subject,
                uri: recipe.uri
            )
            var key = issuedKey
            if recipe.id == Self.mismatched {
                key = directory.path("other.key")
                try await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
            }
            switch recipe.certificate {
            case .pem(let ext):
                try FileManager.default.copyItem(atPath: certificate, toPath: "\(identities)/\(recipe.id).\(ext)")
            case .der(let ext):
                try await openssl([
                    "x509", "-in", certificate, "-outform", "DER", "-out", "\(identities)/\(recipe.id).\(ext)",
                ])
            }
            if let arguments = recipe.key {
                try await openssl(arguments + ["-in", key, "-out", "\(identities)/\(recipe.id).key"])
            } else {
                try FileManager.default.copyItem(atPath: key, toPath: "\(identities)/\(recipe.id).key")
            }
            made[recipe.id] = "\(recipe.certificate) + key \((recipe.key ?? ["as issued"]).joined(separator: " "))"
        }
        return IdentityInputs(
            directory: directory,
            ca: ca,
            identities: identities,
            passphrase: passphrase,
            serverCertificate: serverCertificate,
            serverKey: serverKey,
            made: made,
            encrypted: Set(Self.recipes.filter(\.encrypted).map(\.id))
        )
    }

    /// `openssl s_server -Verify 2 -verify_return_error` (TLS 1.3) as the broker, trusting the root for devices.
    func openSSLServer() async throws -> OpenSSLServer {
        try await OpenSSLServer(
            certificate: self.serverCertificate,
            chain: self.ca.certificate,
            key: self.serverKey,
            clientCA: self.ca.certificate,
            version: "1.3",
            in: self.directory
        )
    }

    /// One `fleetsim run` of the whole folder; returns what it did and each device's report entry.
    func run(port: Int, _ extra: [String], environment: [String: String], outputs: [String] = []) async throws
        -> (CommandResult, [String: [String: Any]])
    {
        let json = outputs.first ?? self.directory.path("report-\(UUID().uuidString.prefix(6)).json")
        let result = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(port)", "--identities", self.identities, "--ca", self.ca.certificate,
                "--server-name", "localhost", "--per-device", "--json", json,
            ] + extra,
            in: self.directory,
            environment: environment
        )
        #expect(result.status == 0, "\(result.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        let devices = try #require(report["devices"] as? [[String: Any]])
        return (result, Dictionary(uniqueKeysWithValues: devices.map { ($0["id"] as? String ?? "", $0) }))
    }
}
