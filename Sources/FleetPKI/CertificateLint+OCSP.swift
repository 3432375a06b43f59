/// What an OCSP answer means for a backend, as lint findings: `inspect --ocsp` and the diagnosis
/// of devices refused by a backend that checks OCSP (`serve --device-ocsp`, `run --diagnose-ocsp`).
extension CertificateLint {
    /// The findings for `verdict`, asked of `responder` (a URL, for the sentence).
    ///
    /// A good status is an info line (no code). A revoked or unknown certificate is an error: a
    /// backend that checks OCSP refuses it. No trustworthy answer is a warning: only a backend
    /// that requires OCSP (fails closed) refuses the device, and only while it lasts.
    public static func ocspFindings(_ verdict: OCSPVerdict, responder: String) -> [LintFinding] {
        let consequence = "a backend that checks OCSP refuses the device"
        switch verdict {
        case .good:
            return [LintFinding(nil, .info, "OCSP \(responder): \(verdict.explanation)")]
        case .revoked:
            return [
                LintFinding(
                    .revoked,
                    .error,
                    "the OCSP responder \(responder) says \(verdict.explanation); \(consequence)"
                )
            ]
        case .unknown:
            return [
                LintFinding(
                    .ocspUnknown,
                    .error,
                    "the OCSP responder \(responder) answers unknown: it does not know this certificate; \(consequence) "
                        + "(is it the responder of the certificate's issuing CA?)"
                )
            ]
        case .unavailable(let why), .invalid(let why):
            let what =
                if case .invalid = verdict { "the answer of \(responder) cannot be trusted" } else { "no OCSP status" }
            return [
                LintFinding(
                    .ocspUnavailable,
                    .warning,
                    "\(what): \(why); a backend that requires OCSP (fails closed) refuses the device while this lasts"
                )
            ]
        }
    }
}
