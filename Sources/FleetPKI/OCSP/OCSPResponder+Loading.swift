import Foundation
import X509

extension OCSPResponder {
    /// The responder for the issuing CA of the PKI in `directory`, as its files are now: the CA's
    /// certificate and key, `fleet.json`, the server certificate, and for `delegated` the
    /// responder certificate (made there if missing or no longer good).
    ///
    /// The root's key is not read: a root kept offline does not stop the responder.
    ///
    /// - Throws: ``PKIError`` (`no-pki`, the CA's files, `manifest-unreadable`), or
    ///   ``AtomicFile/WriteError`` when a delegated responder cannot be written.
    public static func load(
        directory: String,
        signer role: OCSPSignerRole,
        validity: TimeInterval,
        now: Date = Date()
    ) throws -> OCSPResponder {
        let layout = try PrivatePKI.existingLayout(directory)
        let authority = try PrivatePKI.authority(.issuing, in: directory)
        let manifest = try PrivatePKI.manifest(of: layout)
        let signer: OCSPSigner =
            switch role {
            case .issuing: .issuing(authority)
            case .delegated:
                try .delegated(by: authority, layout: layout, until: now.addingTimeInterval(validity), now: now)
            }
        // The server certificate is the CA's too (and carries the OCSP URL): a backend stapling
        // its own status asks about it. The delegated responder is answered for as well.
        var others = role == .delegated ? [signer.certificate] : []
        if let server = (try? PEMFile.certificates(at: layout.serverCertificate))?.first,
            server.issuer == authority.certificate.subject
        {
            others.append(server)
        }
        let book = OCSPStatusBook(manifest: manifest, issuingAlgorithm: authority.algorithm, alsoIssued: others)
        return try OCSPResponder(issuer: authority.certificate, signer: signer, book: book, validity: validity)
    }
}
