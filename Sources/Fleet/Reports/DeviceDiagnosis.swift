import FleetPKI
import Foundation
import SwiftASN1
import X509

/// Diagnoses a failed device from its own certificate: the lint of `inspect`, run against the CA,
/// CRL, key and clock the run was given, so the report can say *why* next to *what the server said*.
public struct DeviceDiagnosis: Sendable {
    let trusted: [Certificate]?
    let crls: [RevocationList]
    let clock: Date

    public init(trusted: [Certificate]?, crl: RevocationList?, clock: Date = Date()) {
        self.init(trusted: trusted, crls: crl.map { [$0] } ?? [], clock: clock)
    }

    public init(trusted: [Certificate]?, crls: [RevocationList], clock: Date = Date()) {
        self.trusted = trusted
        self.crls = crls
        self.clock = clock
    }

    /// The findings that are defects (errors and warnings with a code).
    public func findings(chainPEM: String, keyPEM: String, id: String) -> [LintFinding] {
        guard let chain = try? PEMFile.certificates(in: chainPEM, source: id) else {
            if let block = try? PEMDocument.parseMultiple(pemString: chainPEM).first(where: {
                $0.discriminator == "CERTIFICATE"
            }),
                let bits = WeakRSAProbe.rsaModulusBits(certificateDER: block.derBytes), bits < 2048
            {
                return Array(CertificateLint.weakRSAFindings(bits: bits).prefix(1))
            }
            return []
        }
        let lint = CertificateLint(
            role: .client,
            clock: self.clock,
            trusted: self.trusted,
            crls: self.crls,
            keyPEM: keyPEM
        )
        return lint.lint(chain).filter { $0.code != nil }
    }
}
