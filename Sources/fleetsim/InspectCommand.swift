import ArgumentParser
import FleetPKI
import Foundation
import SwiftASN1
import X509

/// `fleetsim inspect`: says what is wrong with a certificate, in words and diagnosis codes.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Lint a certificate (and the chain in its file) the way a backend would judge it.",
        discussion: """
            Each finding has a diagnosis code (expired, not-yet-valid, missing-client-auth-eku, \
            missing-digital-signature, ca-certificate, untrusted-issuer, incomplete-chain, self-signed, \
            key-mismatch, revoked, weak-key, weak-signature, no-device-id, ocsp-unknown, ocsp-unavailable), \
            a severity and a sentence. --ocsp asks an OCSP responder about the certificate (its issuer must \
            follow it in the file or be in --ca).
            Exit 0 when no errors, 1 with errors, 2 when an input cannot be read.
            """
    )

    @Argument(help: ArgumentHelp("PEM file: the certificate, optionally followed by its chain.", valueName: "cert"))
    var certificatePath: String

    @Option(help: ArgumentHelp("The private key that should belong to the certificate.", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The CA certificate(s) a backend trusts (PEM bundle).", valueName: "file"))
    var ca: String?

    @Option(help: ArgumentHelp("A CRL (PEM or DER) to check revocation against.", valueName: "file"))
    var crl: [String] = []

    @Option(
        help: ArgumentHelp(
            "Ask an OCSP responder about the certificate: a URL, or aia for the one the certificate names.",
            valueName: "url|aia"
        ),
        transform: OCSPResponderChoice.parse
    )
    var ocsp: OCSPResponderChoice?

    @Option(name: .customLong("as"), help: "Judge it as a client (device) or a server certificate.")
    var role: CertificateLint.Role = .client

    @Flag(help: "Print the findings as JSON.")
    var json = false

    func run() async throws {
        var report = try self.makeReport()
        if let ocsp { report = await self.askingOCSP(ocsp, report) }
        if self.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
        if report.errors > 0 { throw ExitCode(ExitStatus.checkFailed) }
    }

    /// Reads the inputs (exit 2 with the file's name when one cannot be used) and lints.
    func makeReport() throws -> InspectReport {
        let text = try Self.read(self.certificatePath)
        let keyPEM = try self.key.map(Self.read)
        if let keyPEM, let path = self.key, !keyPEM.contains("PRIVATE KEY-----") {
            throw InputError(
                .notAKey,
                "\(path): expected a PEM private key (-----BEGIN PRIVATE KEY-----), found something else",
                path: path
            )
        }
        let trusted = try self.ca.map(Self.certificates)
        let crls = try self.crl.flatMap { path in try Self.readCRLs(path).lists }
        let chain: [Certificate]
        do {
            chain = try PEMFile.certificates(in: text, source: self.certificatePath)
        } catch {
            // A certificate swift-certificates cannot parse may still be a real one with a weak RSA key.
            if let bits = Self.weakRSABits(in: text), bits < 2048 {
                return InspectReport(
                    file: self.certificatePath,
                    role: self.role,
                    leaf: nil,
                    findings: CertificateLint.weakRSAFindings(bits: bits)
                )
            }
            throw InputError(error)
        }
        let lint = CertificateLint(role: self.role, trusted: trusted, crls: crls, keyPEM: keyPEM)
        return InspectReport(file: self.certificatePath, role: self.role, leaf: chain[0], findings: lint.lint(chain))
    }

    /// A file's text (`pki:no-such-file`, `pki:file-unreadable`).
    static func read(_ path: String) throws -> String {
        do { return try PEMFile.text(at: path) } catch { throw InputError(error) }
    }

    /// Every certificate in a PEM file (`pki:…` when there is none, or one does not parse).
    static func certificates(at path: String) throws -> [Certificate] {
        do { return try PEMFile.certificates(at: path) } catch { throw InputError(error) }
    }

    /// A CRL file (PEM or DER), its text and what it says; `not-a-crl` when it does not parse,
    /// with `consequence` after the reason.
    static func readCRL(_ path: String, consequence: String = "") throws -> (text: String, list: RevocationList) {
        let (text, lists) = try Self.readCRLs(path, consequence: consequence)
        return (text, lists[0])
    }

    /// Every CRL of a file (a PEM bundle, or one DER CRL); `not-a-crl` when any does not parse.
    static func readCRLs(_ path: String, consequence: String = "") throws -> (text: String, lists: [RevocationList]) {
        let text = try Self.read(path)
        do {
            return (text, try RevocationList.all(in: Array(text.utf8)))
        } catch {
            throw InputError(.notACRL, "\(path): not a CRL (\(error))\(consequence)", path: path)
        }
    }

    static func weakRSABits(in text: String) -> Int? {
        guard
            let block = try? PEMDocument.parseMultiple(pemString: text).first(where: {
                $0.discriminator == "CERTIFICATE"
            })
        else { return nil }
        return WeakRSAProbe.rsaModulusBits(certificateDER: block.derBytes)
    }
}

/// What `inspect --json` prints.
struct InspectReport: Encodable {
    let file: String
    let role: CertificateLint.Role
    let subject: String?
    let issuer: String?
    let serial: String?
    let fingerprint: String?
    let notBefore: Date?
    let notAfter: Date?
    private(set) var findings: [LintFinding]
    private(set) var errors: Int
    private(set) var warnings: Int

    init(file: String, role: CertificateLint.Role, leaf: Certificate?, findings: [LintFinding]) {
        self.file = file
        self.role = role
        self.subject = leaf.map { DistinguishedNameText.format($0.subject) }
        self.issuer = leaf.map { DistinguishedNameText.format($0.issuer) }
        self.serial = leaf.map(CertificateFacts.serialHex)
        self.fingerprint = leaf.map(CertificateFacts.fingerprint)
        self.notBefore = leaf?.notValidBefore
        self.notAfter = leaf?.notValidAfter
        self.findings = []
        self.errors = 0
        self.warnings = 0
        self.add(findings)
    }

    /// Adds findings made after the lint (OCSP's), keeping the counts right.
    mutating func add(_ more: [LintFinding]) {
        self.findings += more
        self.errors = self.findings.filter { $0.severity == .error }.count
        self.warnings = self.findings.filter { $0.severity == .warning }.count
    }

    var text: String {
        var lines = ["\(self.file) (judged as a \(self.role == .client ? "device (client)" : "server") certificate)"]
        if let subject { lines.append("  subject   \(subject)") }
        if let issuer { lines.append("  issuer    \(issuer)") }
        if let notBefore, let notAfter {
            lines.append("  valid     \(Self.day(notBefore)) → \(Self.day(notAfter))")
        }
        if let serial { lines.append("  serial    \(serial)") }
        lines.append("")
        for finding in self.findings {
            let code = finding.code?.rawValue ?? "-"
            lines.append(
                "  \(finding.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))"
                    + "\(code.padding(toLength: 26, withPad: " ", startingAt: 0))\(finding.message)"
            )
        }
        if self.errors == 0 && self.warnings == 0 {
            lines.append("  ok        no problems found")
        } else {
            lines.append("")
            lines.append("  \(self.errors) error(s), \(self.warnings) warning(s)")
        }
        return lines.joined(separator: "\n")
    }

    static func day(_ date: Date) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: .gmt, formatOptions: [.withFullDate])
    }
}
