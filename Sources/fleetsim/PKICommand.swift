import ArgumentParser
import FleetPKI
import Foundation

/// `fleetsim pki`: a private PKI for a simulated fleet.
struct PKICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract:
            "Make a private CA, server and device certificates (with deliberate defects), CA verification certs; answer OCSP.",
        subcommands: [
            PKIInitCommand.self, PKIIssueCommand.self, PKIRevokeCommand.self, PKIVerificationCertCommand.self,
            PKIOCSPCommand.self,
        ]
    )
}

/// Options every `pki` subcommand shares.
struct PKIDirectoryOption: ParsableArguments {
    @Option(name: .customLong("dir"), help: "Directory of the PKI.")
    var directory = "certs"
}

struct PKIInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a root CA, an issuing CA, a server certificate and an empty CRL.",
        discussion: "Refuses to overwrite an existing PKI unless --force is given."
    )

    @OptionGroup var location: PKIDirectoryOption

    @Option(help: "Key type of the CAs and the server.")
    var key: KeyAlgorithm = .ecdsaP256

    @Option(
        name: .customLong("server-name"),
        help: ArgumentHelp(
            "A DNS name or IP address the server certificate is for; repeat for several.",
            valueName: "name"
        )
    )
    var serverNames: [String] = ["localhost", "127.0.0.1"]

    @Flag(help: "Replace an existing PKI in the directory, and delete the devices issued from it.")
    var force = false

    @Option(
        name: .customLong("ocsp-url"),
        help: ArgumentHelp(
            "An OCSP responder URL, http://HOST[:PORT][/PATH], for the Authority Information Access of the server certificate and of every device issued later (serve it with `pki ocsp`). (default: none)",
            valueName: "url"
        )
    )
    var ocspURL: String?

    func validate() throws {
        if let ocspURL {
            do { _ = try OCSPURL(ocspURL) } catch { throw ValidationError("--ocsp-url '\(ocspURL)' \(error)") }
        }
    }

    func run() async throws {
        let pki: PrivatePKI
        do {
            pki = try PrivatePKI.create(
                in: self.location.directory,
                algorithm: self.key,
                serverNames: self.serverNames,
                force: self.force,
                ocspURL: try self.ocspURL.map { try OCSPURL($0) }
            )
        } catch let error as PKIError {
            throw InputError(error)
        }
        let layout = pki.layout
        let until = ISO8601DateFormatter.string(
            from: pki.root.certificate.notValidAfter,
            timeZone: .gmt,
            formatOptions: [.withFullDate]
        )
        print("created a PKI in \(layout.directory)/ (\(self.key)):")
        print("  root.pem, root.key                  fleetsim root CA, valid until \(until)")
        print("  intermediate.pem, intermediate.key  fleetsim issuing CA: signs the server, the devices and the CRL")
        print("  ca-chain.pem                        root + issuing CA: what a backend trusts")
        print(
            "  server.pem, server.key              server certificate for \(self.serverNames.joined(separator: ", "))"
        )
        print("  crl.pem                             empty CRL #1")
        if let url = pki.manifest.ocspURL {
            print("  OCSP URL \(url) in server.pem and every device issued from now on (answer it: pki ocsp)")
        }
        print("next: fleetsim pki issue --dir \(layout.directory) --count 10")
    }
}

struct PKIIssueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue device identities: <dir>/devices/<id>.pem (leaf + issuing CA) and <id>.key (0600).",
        discussion: """
            Defects (one per device): \(DeviceDefect.allCases.map { "\n  \($0.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \($0.summary)" }.joined())
            """
    )

    @OptionGroup var location: PKIDirectoryOption

    @Option(parsing: .unconditional, help: "How many devices to issue (1–1000000).")
    var count: Int

    @Option(help: "Device id prefix; ids are <prefix>00001, <prefix>00002, … (default: tcu- or tcu-<defect>-).")
    var prefix: String?

    @Option(help: "The defect every issued device has.")
    var defect: DeviceDefect = .none

    @Option(help: "Key type of the devices.")
    var key: KeyAlgorithm = .ecdsaP256

    func validate() throws {
        guard (1...1_000_000).contains(self.count) else {
            throw ValidationError("--count must be between 1 and 1000000, not \(self.count)")
        }
        if let prefix, prefix.contains("/") || prefix.hasPrefix(".") {
            throw ValidationError("--prefix must not contain '/' or start with '.': it becomes a file name")
        }
    }

    func run() async throws {
        var pki: PrivatePKI
        do {
            pki = try PrivatePKI.open(self.location.directory)
        } catch let error as PKIError {
            throw InputError(error)
        }
        let prefix = self.prefix ?? (self.defect == .none ? "tcu-" : "tcu-\(self.defect.rawValue)-")
        let clock = ContinuousClock()
        let start = clock.now
        let issued = try await pki.issueDevices(
            count: self.count,
            prefix: prefix,
            defect: self.defect,
            algorithm: self.key
        )
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let range = issued.count == 1 ? issued[0].id : "\(issued.first!.id) … \(issued.last!.id)"
        print(
            "issued \(issued.count) device\(issued.count == 1 ? "" : "s") \(range) (\(self.defect): \(self.defect.summary)) "
                + String(format: "in %.2f s (%.0f/s)", seconds, Double(issued.count) / max(seconds, 1e-9))
        )
        print("  → \(pki.layout.devices)/, recorded in \(pki.layout.manifest)")
        if self.defect == .revoked {
            print("  → \(pki.layout.crl) re-signed as CRL #\(pki.manifest.crlNumber)")
        }
    }
}

struct PKIRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Add devices to the CRL (re-signed by the issuing CA with the next CRL number)."
    )

    @OptionGroup var location: PKIDirectoryOption

    @Argument(help: ArgumentHelp("The ids of the devices to revoke.", valueName: "device-id"))
    var ids: [String]

    @Option(help: "Why: kept in fleet.json, the CRL entry's reasonCode (unless unspecified) and OCSP answers.")
    var reason: RevocationReason = .unspecified

    func validate() throws {
        guard !self.ids.isEmpty else { throw ValidationError("name at least one device id to revoke") }
    }

    func run() async throws {
        do {
            var pki = try PrivatePKI.open(self.location.directory)
            let revoked = try pki.revoke(self.ids, reason: self.reason)
            let already = Set(self.ids).subtracting(revoked.map(\.id))
            print(
                "revoked \(revoked.map(\.id).joined(separator: ", ")) (\(self.reason))"
                    + (already.isEmpty ? "" : " (already revoked: \(already.sorted().joined(separator: ", ")))")
            )
            print(
                "  → \(pki.layout.crl): CRL #\(pki.manifest.crlNumber) lists \(pki.manifest.revocations.count) certificate(s)"
            )
        } catch let error as PKIError {
            throw InputError(error)
        }
    }
}
