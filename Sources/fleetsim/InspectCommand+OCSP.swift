import FleetOCSP
import FleetPKI
import X509

/// `inspect --ocsp`: the responder's word on the certificate, as lint findings (`revoked`,
/// `ocsp-unknown`, `ocsp-unavailable`, or an info line for good).
extension InspectCommand {
    /// `report` with the OCSP findings added. The issuer comes from the certificate's file (the
    /// chain after it) or from `--ca`: without it no CertID can be made, which is a finding too.
    func askingOCSP(_ choice: OCSPResponderChoice, _ report: InspectReport) async -> InspectReport {
        var report = report
        guard let chain = try? Self.certificates(at: self.certificatePath), let leaf = chain.first else {
            return report
        }
        let trusted = self.ca.flatMap { try? Self.certificates(at: $0) } ?? []
        guard let url = choice.url(for: leaf) else {
            report.add([
                LintFinding(
                    .ocspUnavailable,
                    .warning,
                    "the certificate names no OCSP responder (no Authority Information Access OCSP URL): "
                        + "a backend that requires OCSP refuses it; give the responder with --ocsp URL"
                )
            ])
            return report
        }
        guard let issuer = CertificateIssuer.find(of: leaf, among: Array(chain.dropFirst()) + trusted) else {
            report.add([
                LintFinding(
                    .ocspUnavailable,
                    .warning,
                    "could not ask \(url): the issuer '\(leaf.issuer)' is needed for the request; "
                        + "put it after the certificate in its file or give it with --ca"
                )
            ])
            return report
        }
        let verdict = await OCSPLookup().status(of: leaf, issuer: issuer, at: url)
        report.add(CertificateLint.ocspFindings(verdict, responder: url.text))
        return report
    }
}
