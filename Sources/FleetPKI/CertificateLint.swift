import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Lints a certificate chain (leaf first) against what a backend would check: dates by a given
/// clock, usages for the role, the chain to the trusted CAs, the CRL, the key, key and signature
/// strength, and a device id. `inspect` prints the findings; `run` and `repro` attach their codes to
/// failed devices.
public struct CertificateLint: Sendable {
    public enum Role: String, Sendable, Codable {
        case client
        case server
    }

    public var role: Role
    /// The clock the certificate is judged by: this machine's, or a simulated device's.
    public var clock: Date
    /// Trust anchors and known CAs (a CA bundle). nil: trust is not checked.
    public var trusted: [Certificate]?
    /// Every CRL given (a bundle, several files): the one from the leaf's issuer is checked.
    public var crls: [RevocationList]
    /// The private key (PEM) that should belong to the leaf.
    public var keyPEM: String?

    public init(
        role: Role = .client,
        clock: Date = Date(),
        trusted: [Certificate]? = nil,
        crl: RevocationList? = nil,
        keyPEM: String? = nil
    ) {
        self.init(role: role, clock: clock, trusted: trusted, crls: crl.map { [$0] } ?? [], keyPEM: keyPEM)
    }

    public init(
        role: Role = .client,
        clock: Date = Date(),
        trusted: [Certificate]?,
        crls: [RevocationList],
        keyPEM: String? = nil
    ) {
        self.role = role
        self.clock = clock
        self.trusted = trusted
        self.crls = crls
        self.keyPEM = keyPEM
    }

    /// All findings for `chain`, errors first.
    public func lint(_ chain: [Certificate]) -> [LintFinding] {
        guard let leaf = chain.first else { return [] }
        var findings: [LintFinding] = []
        findings += self.checkDates(leaf)
        findings += self.checkUsages(leaf)
        findings += self.checkChain(chain)
        findings += self.checkRevocation(leaf)
        findings += self.checkKey(leaf)
        findings += self.checkStrength(chain)
        if self.role == .client { findings += self.checkDeviceID(leaf) }
        return findings.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(
            \.element
        )
    }

    /// Findings for a certificate whose RSA key is too small for swift-certificates to parse.
    public static func weakRSAFindings(bits: Int) -> [LintFinding] {
        [
            LintFinding(
                .weakKey,
                .error,
                "the key is RSA-\(bits): below 2048 bits, which OpenSSL at its default security level (and most backends) refuse"
            ),
            LintFinding(
                nil,
                .info,
                "the other checks were skipped: RSA keys under 2048 bits cannot be analysed further"
            ),
        ]
    }

    // MARK: - Checks

    private func checkDates(_ leaf: Certificate) -> [LintFinding] {
        if self.clock > leaf.notValidAfter {
            return [
                LintFinding(
                    .expired,
                    .error,
                    "the certificate expired on \(Self.day(leaf.notValidAfter)), \(Self.days(from: leaf.notValidAfter, to: self.clock)) "
                        + "before the clock it was judged by (\(Self.day(self.clock))); OpenSSL-based backends answer certificate_expired (45)"
                )
            ]
        }
        if self.clock < leaf.notValidBefore {
            return [
                LintFinding(
                    .notYetValid,
                    .error,
                    "the certificate is not valid until \(Self.day(leaf.notValidBefore)), \(Self.days(from: self.clock, to: leaf.notValidBefore)) "
                        + "after the clock it was judged by (\(Self.day(self.clock))); a device without a real-time clock, or a "
                        + "backend, rejects it (OpenSSL answers bad_certificate, 42)"
                )
            ]
        }
        let remaining = leaf.notValidAfter.timeIntervalSince(self.clock)
        if remaining < 30 * 86400 {
            return [
                LintFinding(
                    nil,
                    .warning,
                    "the certificate expires in \(Self.days(from: self.clock, to: leaf.notValidAfter)) (\(Self.day(leaf.notValidAfter)))"
                )
            ]
        }
        return []
    }

    private func checkUsages(_ leaf: Certificate) -> [LintFinding] {
        var findings: [LintFinding] = []
        let eku = (try? leaf.extensions.extendedKeyUsage) ?? nil
        let usages = eku.map { Array($0) } ?? []
        let any = usages.contains(.any)
        switch self.role {
        case .client:
            if eku == nil {
                findings.append(
                    LintFinding(
                        .missingClientAuthEKU,
                        .warning,
                        "there is no extendedKeyUsage extension: OpenSSL-based backends accept that for any purpose, but "
                            + "backends that require clientAuth (1.3.6.1.5.5.7.3.2) — fleetsim serve's default policy — reject it"
                    )
                )
            } else if !usages.contains(.clientAuth) && !any {
                let message =
                    usages.contains(.serverAuth)
                    ? "this is a server certificate: extendedKeyUsage lists serverAuth (1.3.6.1.5.5.7.3.1) but not clientAuth "
                        + "(1.3.6.1.5.5.7.3.2); a backend that checks client certificates will reject it (OpenSSL answers "
                        + "unsupported_certificate, 43)"
                    : "extendedKeyUsage does not list clientAuth (1.3.6.1.5.5.7.3.2); a backend that checks client "
                        + "certificates will reject it"
                findings.append(LintFinding(.missingClientAuthEKU, .error, message))
            }
        case .server:
            if let eku, !eku.contains(.serverAuth) && !any {
                findings.append(
                    LintFinding(
                        .missingServerAuthEKU,
                        .error,
                        "extendedKeyUsage does not list serverAuth (1.3.6.1.5.5.7.3.1): devices will refuse this server"
                    )
                )
            }
            if ((try? leaf.extensions.subjectAlternativeNames) ?? nil) == nil {
                findings.append(
                    LintFinding(
                        nil,
                        .warning,
                        "no subjectAltName: devices check the server's name against the SAN, not the CN"
                    )
                )
            }
        }
        if let keyUsage = (try? leaf.extensions.keyUsage) ?? nil, !keyUsage.digitalSignature {
            findings.append(
                LintFinding(
                    .missingDigitalSignature,
                    .error,
                    "keyUsage lacks digitalSignature: the key may not sign the TLS handshake, so a checking peer rejects it"
                )
            )
        }
        if case .isCertificateAuthority = (try? leaf.extensions.basicConstraints) ?? .notCertificateAuthority {
            findings.append(
                LintFinding(
                    .caCertificate,
                    .error,
                    "this is a CA certificate (basicConstraints CA:TRUE), not a \(self.role == .client ? "device" : "server") certificate"
                )
            )
        }
        return findings
    }

    private func checkKey(_ leaf: Certificate) -> [LintFinding] {
        guard let keyPEM else { return [] }
        guard let key = try? Certificate.PrivateKey(pemEncoded: keyPEM) else {
            return [
                LintFinding(
                    nil,
                    .info,
                    "the key could not be read by the lint (encrypted, or RSA under 2048 bits): not compared"
                )
            ]
        }
        guard key.publicKey == leaf.publicKey else {
            return [
                LintFinding(
                    .keyMismatch,
                    .error,
                    "the private key does not belong to this certificate (their public keys differ): the device cannot prove it owns the certificate"
                )
            ]
        }
        return []
    }

    private func checkStrength(_ chain: [Certificate]) -> [LintFinding] {
        var findings: [LintFinding] = []
        let leaf = chain[0]
        if let rsa = _RSA.Signing.PublicKey(leaf.publicKey), rsa.keySizeInBits < 2048 {
            findings += Self.weakRSAFindings(bits: rsa.keySizeInBits).prefix(1)
        }
        for certificate in chain where certificate.signatureAlgorithm == .sha1WithRSAEncryption {
            let whose = certificate == leaf ? "the certificate" : "'\(Self.dn(certificate.subject))'"
            findings.append(
                LintFinding(
                    .weakSignature,
                    .error,
                    "\(whose) is signed with SHA-1 (sha1WithRSAEncryption): OpenSSL at its default security level rejects it"
                )
            )
        }
        return findings
    }

    private func checkDeviceID(_ leaf: Certificate) -> [LintFinding] {
        let commonName = Self.attribute(.RDNAttributeType.commonName, of: leaf)
        let serial = Self.attribute(.RDNAttributeType.serialNumber, of: leaf)
        let names: SubjectAlternativeNames? = (try? leaf.extensions.subjectAlternativeNames) ?? nil
        let hasURI =
            names?.contains { name in
                if case .uniformResourceIdentifier = name { return true }
                return false
            } ?? false
        if (commonName ?? "").isEmpty && (serial ?? "").isEmpty && !hasURI {
            return [
                LintFinding(
                    .noDeviceID,
                    .warning,
                    "the subject has neither a CN nor a serialNumber (2.5.4.5), and no subjectAltName URI: a backend cannot tell which device this is"
                )
            ]
        }
        return []
    }

    // MARK: - Helpers

    static func dn(_ name: DistinguishedName) -> String {
        DistinguishedNameText.format(name)
    }

    static func isSelfSigned(_ certificate: Certificate) -> Bool {
        certificate.subject == certificate.issuer
            && certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
    }

    /// The text of the first attribute of `type` in the subject.
    public static func attribute(_ type: ASN1ObjectIdentifier, of certificate: Certificate) -> String? {
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == type {
                return String(attribute.value) ?? attribute.value.description
            }
        }
        return nil
    }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    static func days(from start: Date, to end: Date) -> String {
        let days = Int((end.timeIntervalSince(start) / 86400).rounded(.down))
        if days >= 1 {
            let formatter = NumberFormatter()
            formatter.numberStyle = .decimal
            return "\(formatter.string(from: NSNumber(value: days)) ?? "\(days)") day\(days == 1 ? "" : "s")"
        }
        let hours = max(1, Int(end.timeIntervalSince(start) / 3600))
        return "\(hours) hour\(hours == 1 ? "" : "s")"
    }
}
