import Foundation
import X509

/// What the issuing CA has issued and revoked, by serial number: the facts an OCSP responder
/// answers from, taken from `fleet.json` (and the server certificate, which `fleet.json` does not
/// list).
///
/// A serial the CA did not issue is `unknown`, never `good`: a responder that said `good` for
/// anything not revoked would vouch for certificates it has never seen.
public struct OCSPStatusBook: Sendable {
    private var issued: Set<[UInt8]> = []
    private var revoked: [[UInt8]: OCSPCertStatus] = [:]

    /// The statuses of `manifest`'s devices signed by the issuing CA (whose key is of
    /// `issuingAlgorithm`), and of `alsoIssued` (the server certificate).
    public init(manifest: FleetManifest, issuingAlgorithm: KeyAlgorithm, alsoIssued: [Certificate] = []) {
        for device in manifest.devices
        where DefectIssuer.signsWithIssuingCA(device.defect, issuingAlgorithm: issuingAlgorithm) {
            if let serial = CertificateFacts.bytes(hex: device.serial) { self.issued.insert(serial) }
        }
        for certificate in alsoIssued { self.issued.insert(Array(certificate.serialNumber.bytes)) }
        for revocation in manifest.revocations {
            guard let serial = CertificateFacts.bytes(hex: revocation.serial), self.issued.contains(serial),
                self.revoked[serial] == nil
            else { continue }
            self.revoked[serial] = .revoked(at: revocation.date, reason: revocation.reason ?? .unspecified)
        }
    }

    /// `good`, `revoked` (when, why) or `unknown` for the certificate with `serial`.
    public func status(of serial: [UInt8]) -> OCSPCertStatus {
        if let revoked = self.revoked[serial] { return revoked }
        return self.issued.contains(serial) ? .good : .unknown
    }

    /// How many certificates the book knows, and how many of them are revoked.
    public var counts: (issued: Int, revoked: Int) { (self.issued.count, self.revoked.count) }
}
