import FleetPKI
import FleetTLS
import SwiftASN1
import X509

/// What the test backend requires of a device, strict by default, each part switchable
/// (`fleetsim serve` flags). wolfSSL checks the chain, dates and the CRL; this adds what real
/// IoT backends add: clientAuth EKU, presenting the issuing CA, no SHA-1, allow/deny lists, and
/// (MQTT) a client id that matches the certificate.
public struct BackendPolicy: Sendable {
    /// Refuse certificates whose extendedKeyUsage lacks clientAuth — also those without the extension.
    public var requireClientAuthEKU = true
    /// Refuse devices that do not present their issuing CA (a backend trusting only the root could
    /// not build their chain).
    public var requireChain = true
    /// Only these device ids are admitted (nil = any).
    public var allow: Set<String>?
    public var deny: Set<String> = []
    /// MQTT: the CONNECT client id must name the device as its certificate does (serialNumber, CN
    /// or SAN URI).
    public var matchClientID = true
    /// Subjects of the self-signed trust anchors: leaves they sign directly need no chain.
    public var rootSubjects: Set<DistinguishedName> = []
    /// CRLs this policy checks itself (their issuer is not a trust anchor, so wolfSSL cannot).
    public var revocation: DeviceRevocation?
    /// OCSP statuses of device certificates (`--device-ocsp`), checked after the CRLs.
    public var ocsp: DeviceOCSP?

    public init() {}

    /// The check run inside wolfSSL's verify callback for each device's leaf.
    public var peerCheck: PeerCertificateCheck {
        let policy = self
        return PeerCertificateCheck(
            checksRevocation: self.revocation != nil,
            needsPresentedCAs: self.revocation != nil || self.ocsp != nil
        ) { der, presentedCAs in
            policy.judge(leafDER: der, presentedCAs: presentedCAs)
        }
    }

    /// Judges a leaf given the DER of the CA certificates the device presented with it. The leaf is
    /// parsed once; revocation comes last, so a refusal the policy is certain of (SHA-1, EKU) is the
    /// one reported.
    public func judge(leafDER: [UInt8], presentedCAs: [[UInt8]]) -> PeerCertificateCheck.Verdict {
        guard let leaf = try? Certificate(derEncoded: leafDER) else {
            if let bits = WeakRSAProbe.rsaModulusBits(certificateDER: leafDER), bits < 2048 {
                return .reject("weak-key: RSA-\(bits) key")
            }
            return .reject("the certificate cannot be parsed")
        }
        let id = PeerIdentity(certificate: leaf).deviceID ?? ""
        if self.deny.contains(id) { return .reject("device \(id) is on the deny list") }
        if let allow, !allow.contains(id) { return .reject("device \(id) is not on the allow list") }
        if self.requireClientAuthEKU {
            let eku = (try? leaf.extensions.extendedKeyUsage) ?? nil
            if eku == nil { return .reject("missing-client-auth-eku: no extendedKeyUsage extension") }
            if let eku, !eku.contains(.clientAuth) && !eku.contains(.any) {
                return .reject("missing-client-auth-eku: extendedKeyUsage lacks clientAuth")
            }
        }
        if leaf.signatureAlgorithm == .sha1WithRSAEncryption { return .reject("weak-signature: signed with SHA-1") }
        if self.requireChain && presentedCAs.isEmpty && !self.rootSubjects.contains(leaf.issuer) {
            return .reject("incomplete-chain: the device did not present its issuing CA")
        }
        guard self.revocation != nil || self.ocsp != nil else { return .accept }
        // Parsed only for a check that needs them: the OCSP cache answers most handshakes by the
        // leaf's issuer name and serial alone.
        let presented = { presentedCAs.compactMap { try? Certificate(derEncoded: $0) } }
        if let refusal = self.revocation?.refusal(of: leaf, presented: presented()) { return .reject(refusal) }
        return self.ocsp?.refusal(of: leaf, presented: presented()).map { .reject($0) } ?? .accept
    }
}
