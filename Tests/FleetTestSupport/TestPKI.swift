import FleetPKI
import Foundation
import X509

/// A complete private PKI made in code for one test: root → issuing CA → server and devices, plus
/// a foreign root that nobody trusts. Nothing is committed, so nothing expires in the repo.
public struct TestPKI: Sendable {
    public let root: CertificateAuthority
    public let intermediate: CertificateAuthority
    public let server: IssuedIdentity
    /// A CA outside the trust of either side (the `wrong-ca` case).
    public let foreignRoot: CertificateAuthority
    public let foreignIntermediate: CertificateAuthority

    /// The devices the foundation tests need, each wrong in exactly one way.
    public enum Device: String, Sendable, CaseIterable {
        case good
        case expired
        case serverEKU = "server-eku"
        case foreignCA = "foreign-ca"
    }

    public init(serverNames: [String] = ["localhost", "127.0.0.1"]) throws {
        self.root = try CertificateAuthority.makeRoot(commonName: "fleetsim test root")
        self.intermediate = try self.root.issueIntermediate(commonName: "fleetsim test issuing CA")
        self.server = try self.intermediate.issueLeaf(template: .server(names: serverNames, validFor: 86400))
        self.foreignRoot = try CertificateAuthority.makeRoot(commonName: "someone else's root")
        self.foreignIntermediate = try self.foreignRoot.issueIntermediate(commonName: "someone else's issuing CA")
    }

    /// Issues a device identity of the given kind, with CN = `id`.
    public func device(_ kind: Device, id: String? = nil) throws -> IssuedIdentity {
        let id = id ?? "tcu-\(kind.rawValue)"
        var template = CertificateTemplate.device(id: id, validFor: 86400)
        switch kind {
        case .good:
            return try self.intermediate.issueLeaf(template: template)
        case .expired:
            template.notBefore = Date(timeIntervalSinceNow: -400 * 86400)
            template.notAfter = Date(timeIntervalSinceNow: -30 * 86400)
            return try self.intermediate.issueLeaf(template: template)
        case .serverEKU:
            template.extendedKeyUsages = [.serverAuth]
            return try self.intermediate.issueLeaf(template: template)
        case .foreignCA:
            return try self.foreignIntermediate.issueLeaf(template: template)
        }
    }

    /// A server identity from the foreign CA: a server the devices must not trust.
    public func untrustedServer(names: [String] = ["localhost", "127.0.0.1"]) throws -> IssuedIdentity {
        try self.foreignIntermediate.issueLeaf(template: .server(names: names, validFor: 86400))
    }

    public var rootPEM: String { PEMText.encode([self.root.certificate]) }
    public var intermediatePEM: String { PEMText.encode([self.intermediate.certificate]) }
}
