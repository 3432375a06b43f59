/// A backend's own judgement of a device certificate, on top of wolfSSL's chain, date and CRL
/// checks: EKU policy, allow/deny lists, "present your chain". Runs inside wolfSSL's verify
/// callback for the leaf, so a rejection becomes a TLS alert the device sees.
public struct PeerCertificateCheck: Sendable {
    public enum Verdict: Sendable, Equatable {
        case accept
        /// Refuse the device; the reason goes to the audit log and the failure's detail.
        case reject(String)
    }

    /// - Parameters: the leaf's DER, and one entry per CA certificate the device presented with it
    ///   (validated by wolfSSL as part of the chain before the leaf is judged): its DER when
    ///   ``needsPresentedCAs``, else empty — the count is all a policy without CRLs needs.
    public let judge: @Sendable (_ leafDER: [UInt8], _ presentedCAs: [[UInt8]]) -> Verdict
    /// The check does its own revocation for issuers whose CRL wolfSSL could not load (a CRL from an
    /// intermediate with only roots trusted): wolfSSL's "no CRL for this issuer" on the leaf is then
    /// left to the check, which refuses when it has no CRL either.
    public let checksRevocation: Bool
    /// The check needs the DER of the presented CA certificates (a CRL's or an OCSP request's
    /// issuer comes from them); otherwise only their count is kept.
    public let needsPresentedCAs: Bool

    public init(
        checksRevocation: Bool = false,
        needsPresentedCAs: Bool? = nil,
        _ judge: @escaping @Sendable (_ leafDER: [UInt8], _ presentedCAs: [[UInt8]]) -> Verdict
    ) {
        self.checksRevocation = checksRevocation
        self.needsPresentedCAs = needsPresentedCAs ?? checksRevocation
        self.judge = judge
    }
}
