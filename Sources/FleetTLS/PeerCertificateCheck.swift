/// A backend's own judgement of a device certificate, on top of wolfSSL's chain, date and CRL
/// checks: EKU policy, allow/deny lists, "present your chain". Runs inside wolfSSL's verify
/// callback for the leaf, so a rejection becomes a TLS alert the device sees.
public struct PeerCertificateCheck: Sendable {
    public enum Verdict: Sendable, Equatable {
        case accept
        /// Refuse the device; the reason goes to the audit log and the failure's detail.
        case reject(String)
    }

    /// - Parameters: the leaf's DER, and how many CA certificates the device presented with it.
    public let judge: @Sendable (_ leafDER: [UInt8], _ presentedCAs: Int) -> Verdict

    public init(_ judge: @escaping @Sendable (_ leafDER: [UInt8], _ presentedCAs: Int) -> Verdict) {
        self.judge = judge
    }
}
