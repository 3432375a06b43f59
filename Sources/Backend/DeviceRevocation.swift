import FleetPKI
import Foundation
import NIOConcurrencyHelpers
import X509

/// CRLs the backend checks itself: those wolfSSL cannot load because their issuer is not a trust
/// anchor (a CRL from an issuing CA when only the root is trusted, as Mosquitto allows with the
/// same `cafile`/`crlfile` pair).
///
/// A CRL's signature is verified against its issuer taken from the device's presented chain —
/// already validated by wolfSSL up to a trust anchor — or from the untrusted intermediates of
/// `--ca-chain`. Intermediates never become trust anchors: a device that omits its issuing CA is
/// still refused by wolfSSL. Verifications are cached per (CRL, issuer certificate), so a fleet
/// pays for each signature once.
///
/// **Thread-safety:** `Sendable`; the cache is behind a lock, touched once per handshake.
public struct DeviceRevocation: Sendable {
    let crls: [RevocationList]
    /// Each CRL's revoked serials with their dates, indexed once at start-up (a lookup per handshake).
    let revoked: [[[UInt8]: Date]]
    /// Untrusted intermediates that may have signed a CRL (`--ca-chain`).
    let intermediates: [Certificate]
    /// Refuse a device whose issuer has no CRL here (wolfSSL checks no CRL of its own).
    let refusesUnknownIssuers: Bool
    /// Whether CRL number `index` verifies with an issuer key (its SubjectPublicKeyInfo).
    private let verified = NIOLockedValueBox<[Int: [[UInt8]: Bool]]>([:])

    public init(crls: [RevocationList], intermediates: [Certificate] = [], refusesUnknownIssuers: Bool) {
        self.crls = crls
        self.revoked = crls.map { crl in
            Dictionary(crl.entries.map { ($0.serial, $0.revocationDate) }, uniquingKeysWith: { first, _ in first })
        }
        self.intermediates = intermediates
        self.refusesUnknownIssuers = refusesUnknownIssuers
    }

    /// Why `leaf` is refused, or nil when its CRL clears it (or it is not this check's to judge).
    ///
    /// - Parameter presented: the CA certificates the device presented with its leaf.
    func refusal(of leaf: Certificate, presented: [Certificate]) -> String? {
        guard let index = self.crls.firstIndex(where: { $0.issuer == leaf.issuer }) else {
            return self.refusesUnknownIssuers
                ? "could not be checked: no CRL from its issuer '\(leaf.issuer)' is loaded" : nil
        }
        let crl = self.crls[index]
        let candidates = (presented + self.intermediates).filter { $0.subject == crl.issuer }
        guard candidates.contains(where: { self.isSigned(index, by: $0) }) else {
            return "could not be checked: the CRL of '\(crl.issuer)' is not signed by the issuer the device presented"
        }
        if let date = self.revoked[index][Array(leaf.serialNumber.bytes)] {
            return
                "revoked: serial \(CertificateFacts.serialHex(leaf)) is on the CRL of '\(crl.issuer)' (revoked \(date.formatted(.iso8601)))"
        }
        return nil
    }

    private func isSigned(_ index: Int, by issuer: Certificate) -> Bool {
        let key = Array(issuer.publicKey.subjectPublicKeyInfoBytes)
        if let known = self.verified.withLockedValue({ $0[index]?[key] }) { return known }
        let valid = self.crls[index].isSigned(by: issuer)
        self.verified.withLockedValue { $0[index, default: [:]][key] = valid }
        return valid
    }
}
