import FleetPKI
import Foundation
import NIOConcurrencyHelpers
import X509

/// Every certificate the loaded CRLs revoke, by issuer and serial: what a live session is checked
/// against after `serve` reloads its CRLs (`--drop-revoked`), and what a resumed session — which
/// exchanges no certificate, so no CRL check — is checked against before it is admitted.
public struct RevokedCertificates: Sendable {
    private let byIssuer: [DistinguishedName: [[UInt8]: Date]]

    /// From every CRL loaded; a CRL's entries count only if it verifies with one of `issuers` of its
    /// name, when any is known (a forged file must not drop sessions), else as given (the file is
    /// the operator's, and dropping is the fail-closed direction).
    public init(_ lists: [RevocationList], issuers: [Certificate] = []) {
        var byIssuer: [DistinguishedName: [[UInt8]: Date]] = [:]
        for list in lists {
            let candidates = issuers.filter { $0.subject == list.issuer }
            guard candidates.isEmpty || candidates.contains(where: list.isSigned(by:)) else { continue }
            for entry in list.entries { byIssuer[list.issuer, default: [:]][entry.serial] = entry.revocationDate }
        }
        self.byIssuer = byIssuer
    }

    public static let none = RevokedCertificates([])

    /// How many certificates are revoked.
    public var count: Int { self.byIssuer.values.reduce(0) { $0 + $1.count } }

    /// Why the certificate `leafDER` is revoked, or nil (also when it does not parse: the CRL check
    /// of its handshake judged it then).
    public func refusal(leafDER: [UInt8]) -> String? {
        guard let leaf = try? Certificate(derEncoded: leafDER),
            let date = self.byIssuer[leaf.issuer]?[Array(leaf.serialNumber.bytes)]
        else { return nil }
        return
            "revoked: serial \(CertificateFacts.serialHex(leaf)) is on the CRL of '\(leaf.issuer)' (revoked \(date.formatted(.iso8601)))"
    }
}

/// The revoked certificates as of the last (re)load, shared by every session.
///
/// **Thread-safety:** one lock; read once per resumed handshake and per reload.
public final class RevocationState: Sendable {
    private let box: NIOLockedValueBox<RevokedCertificates>

    public init(_ revoked: RevokedCertificates) {
        self.box = NIOLockedValueBox(revoked)
    }

    public var current: RevokedCertificates { self.box.withLockedValue { $0 } }

    public func update(_ revoked: RevokedCertificates) {
        self.box.withLockedValue { $0 = revoked }
    }
}

/// Fired into every open connection when the CRLs were reloaded (`serve --drop-revoked`).
struct RevocationUpdate: Sendable {
    let revoked: RevokedCertificates
}
