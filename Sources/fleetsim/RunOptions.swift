import ArgumentParser
import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import Foundation
import X509

/// Where the devices connect.
struct TargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The backend to connect to, HOST:PORT.", valueName: "host:port"))
    var target: String

    @Option(
        help: ArgumentHelp(
            "The name the server certificate must carry. (default: the profile's, else the target host)",
            valueName: "name"
        )
    )
    var serverName: String?

    func parsed() throws -> (String, Int) {
        try Self.split(self.target, option: "--target", allowPortZero: false)
    }

    /// Splits `HOST:PORT` (IPv6 in brackets).
    static func split(_ text: String, option: String, allowPortZero: Bool) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            ((allowPortZero ? 0 : 1)...65535).contains(port), colon != text.startIndex
        else {
            throw ValidationError("\(option) '\(text)' must be HOST:PORT, e.g. 127.0.0.1:8883")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}

/// Where the device identities, the trust anchors and the CRL come from.
struct IdentityOptions: ParsableArguments {
    @Option(
        name: .customLong("dir"),
        help: ArgumentHelp("A `fleetsim pki` directory: devices/, root.pem, crl.pem.", valueName: "dir")
    )
    var directory: String?

    @Option(
        name: .customLong("identities"),
        help: ArgumentHelp(
            "A folder of <device-id>.pem (or .crt, .der) and <device-id>.key pairs, PEM or DER.",
            valueName: "dir"
        )
    )
    var identitiesDirectory: String?

    @Option(help: ArgumentHelp("The CA certificate(s) that sign the server (with --identities).", valueName: "file"))
    var ca: String?

    @Option(
        help: ArgumentHelp(
            "CRLs to diagnose failed devices against: every CRL of the file, and the option may repeat. (default with --dir: <dir>/crl.pem)",
            valueName: "file"
        )
    )
    var crl: [String] = []

    @Option(
        help: ArgumentHelp(
            "The CA certificate(s) the backend trusts for devices, to diagnose refused devices against: often not the CA that signs the server. (default: the profile's trust.device-ca, else --ca, else <dir>/root.pem)",
            valueName: "file"
        )
    )
    var deviceCA: String?

    @Option(
        help: ArgumentHelp(
            "Ask this OCSP responder (aia: each certificate's own) about the devices the backend refused, to explain them.",
            valueName: "url|aia"
        ),
        transform: OCSPResponderChoice.parse
    )
    var diagnoseOcsp: OCSPResponderChoice?

    @Option(
        help: ArgumentHelp(
            "The environment variable that holds the passphrase of encrypted device keys (never the passphrase itself).",
            valueName: "var"
        )
    )
    var keyPassphraseEnv: String?

    func check() throws {
        if let name = self.keyPassphraseEnv, name.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) == nil {
            // Not echoed: it may be the passphrase itself, given by mistake.
            throw ValidationError(
                "--key-passphrase-env takes the name of an environment variable (e.g. FLEET_KEY_PASSPHRASE), not a passphrase"
            )
        }
        switch (self.directory, self.identitiesDirectory) {
        case (nil, nil): throw ValidationError("give the devices: --dir certs, or --identities DIR with --ca FILE")
        case (.some, .some): throw ValidationError("give either --dir or --identities, not both")
        case (nil, .some) where self.ca == nil:
            throw ValidationError("--identities needs --ca: the CA certificate that signs the server")
        default: break
        }
    }

    /// The passphrase of encrypted keys, from the environment variable `--key-passphrase-env` names.
    func passphrase() throws -> KeyPassphrase? {
        guard let name = self.keyPassphraseEnv else { return nil }
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw InputError(
                .keyPassphraseUnset,
                "--key-passphrase-env \(name): the environment variable is not set or empty"
            )
        }
        return KeyPassphrase(value)
    }

    struct Resolved {
        var devicesPath: String
        var caPath: String
        var trustPEM: String
        var trusted: [Certificate]?
        /// What the backend trusts for devices: the diagnosis of a refused device is made against it.
        var deviceCAPath: String
        var deviceTrusted: [Certificate]?
        var crls: [RevocationList]
    }

    /// Reads the CAs and CRL (exit 2 naming the file when one cannot be used).
    ///
    /// - Parameter profileDeviceCA: the profile's `trust.device-ca`, used when `--device-ca` is not given.
    func resolve(profileDeviceCA: String? = nil) throws -> Resolved {
        let devicesPath: String
        let caPath: String
        var crlPaths = self.crl
        if let directory = self.directory {
            let layout = PKILayout(directory: directory)
            devicesPath = layout.devices
            caPath = self.ca ?? layout.rootCertificate
            if crlPaths.isEmpty && FileManager.default.fileExists(atPath: layout.crl) { crlPaths = [layout.crl] }
        } else {
            devicesPath = self.identitiesDirectory!
            caPath = self.ca!
        }
        let trustPEM: String
        let trusted: [Certificate]
        do {
            trustPEM = try PEMFile.text(at: caPath)
            trusted = try PEMFile.certificates(in: trustPEM, source: caPath)
        } catch {
            throw InputError(error)
        }
        let crls = try crlPaths.flatMap { try InspectCommand.readCRLs($0).lists }
        let deviceCAPath = self.deviceCA ?? profileDeviceCA ?? caPath
        let deviceTrusted: [Certificate]
        if deviceCAPath == caPath {
            deviceTrusted = trusted
        } else {
            do { deviceTrusted = try PEMFile.certificates(at: deviceCAPath) } catch { throw InputError(error) }
        }
        return Resolved(
            devicesPath: devicesPath,
            caPath: caPath,
            trustPEM: trustPEM,
            trusted: trusted,
            deviceCAPath: deviceCAPath,
            deviceTrusted: deviceTrusted,
            crls: crls
        )
    }
}

/// What the run writes and checks.
struct ReportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the JSON report (fleetsim.report/1) here.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write JUnit XML (one testcase per device) here.", valueName: "file"))
    var junit: String?

    @Option(
        help: ArgumentHelp(
            "Write a self-contained HTML page (latency histogram, timeline, failed devices) here.",
            valueName: "file"
        )
    )
    var html: String?

    @Option(
        help: ArgumentHelp(
            "Expected outcomes: lines DEVICE-ID<TAB>OUTCOME ('rejected' matches any rejection).",
            valueName: "file"
        )
    )
    var expect: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Fail (exit 1) when more than this share of devices fail, 0–1.", valueName: "x")
    )
    var maxFailureRate: Double?

    @Option(
        help: ArgumentHelp(
            "Fail (exit 1) when the p99 time to acceptance exceeds this, e.g. 250ms.",
            valueName: "duration"
        )
    )
    var maxP99: String?

    @Flag(
        name: .customLong("expect-mutual-tls"),
        help: "Fail (exit 1) when the server accepted any device without asking for its client certificate."
    )
    var expectMutualTLS = false

    @Flag(help: "List every device in the JSON report, not only those that did not end ok.")
    var perDevice = false

    func check() throws {
        if let maxFailureRate, !(0...1).contains(maxFailureRate) {
            throw ValidationError("--max-failure-rate must be between 0 and 1 (e.g. 0.01 for 1%)")
        }
        if let maxP99, DurationText.seconds(maxP99) == nil {
            throw ValidationError("--max-p99 '\(maxP99)' \(DurationText.problem(maxP99))")
        }
    }

    func loadExpectations() throws -> Expectations? {
        guard let path = self.expect else { return nil }
        let text = try InspectCommand.read(path)
        do { return try Expectations(text: text, source: path) } catch { throw InputError(error) }
    }

    func write(_ report: RunReport, expectations: Expectations?, outcomes: [String: Outcome], deviceIDs: [String])
        throws
    {
        do {
            if let json = self.json {
                try AtomicFile.write(Array(try RunReportBuilder.encode(report)) + [0x0A], to: json)
            }
            if let html = self.html {
                try AtomicFile.write(HTMLReport.make(report), to: html)
            }
            if let junit = self.junit {
                try AtomicFile.write(
                    JUnitReport.make(report, expectations: expectations, allOutcomes: outcomes, deviceIDs: deviceIDs),
                    to: junit
                )
            }
        } catch {
            throw InputError(.cannotWrite, "cannot write the report: \(error)")
        }
    }
}
