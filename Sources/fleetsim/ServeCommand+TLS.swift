import Backend
import FleetPKI
import FleetTLS
import Foundation
import X509

/// What `serve` builds from its files: the TLS context, the policy in it, and the revoked certificates.
struct ServeTrust {
    let context: TLSContext
    let policy: BackendPolicy
    let revoked: RevokedCertificates
}

extension ServeCommand {
    /// The backend's TLS context from the files as they are now — trust, identity, CRLs, policy —
    /// and every certificate the CRLs revoke. Called at start-up and on each CRL reload (SIGHUP, or
    /// a CRL file that changed) and each new OCSP staple: a reload that fails keeps the context in use.
    func makeContext(
        caPath: String,
        certPath: String,
        keyPath: String,
        crlPaths: [String],
        deviceOCSP: DeviceOCSP? = nil,
        staple: ServerStaple? = nil
    ) throws -> ServeTrust {
        let crlPath = crlPaths.first
        let caPEM = try InspectCommand.read(caPath)
        let anchors: [Certificate]
        do { anchors = try PEMFile.certificates(in: caPEM, source: caPath) } catch { throw InputError(error) }
        // CRLs from a trust anchor go to wolfSSL; the others are checked by the policy itself.
        var anchoredCRLs: [String] = []
        var ownCRLs: [RevocationList] = []
        var allCRLs: [RevocationList] = []
        let anchorSubjects = Set(anchors.map(\.subject))
        for path in crlPaths {
            let (text, lists) = try InspectCommand.readCRLs(path, consequence: "; refusing to start without it")
            let blocks = RevocationList.pemBlocks(in: text)
            for (index, list) in lists.enumerated() {
                allCRLs.append(list)
                if let next = list.nextUpdate, next < Date() {
                    throw InputError(
                        .crlExpired,
                        "\(path): the CRL of '\(list.issuer)' expired on \(next) (nextUpdate); re-sign it (`fleetsim pki revoke` does) or drop --crl",
                        path: path
                    )
                }
                if anchorSubjects.contains(list.issuer), index < blocks.count {
                    anchoredCRLs.append(blocks[index])
                } else {
                    ownCRLs.append(list)
                }
            }
        }

        var intermediates: [Certificate] = []
        if let caChain = self.caChain {
            do { intermediates = try PEMFile.certificates(at: caChain) } catch { throw InputError(error) }
        }

        var policy = BackendPolicy()
        policy.requireClientAuthEKU = !self.anyEku
        policy.requireChain = !self.noChainCheck
        policy.matchClientID = !self.noClientIdCheck
        policy.rootSubjects = Set(anchors.filter { $0.subject == $0.issuer }.map(\.subject))
        if !ownCRLs.isEmpty {
            policy.revocation = DeviceRevocation(
                crls: ownCRLs,
                intermediates: intermediates,
                refusesUnknownIssuers: anchoredCRLs.isEmpty
            )
        }
        policy.ocsp = deviceOCSP
        if let allow { policy.allow = Set(try Self.ids(in: allow)) }
        if let deny { policy.deny = Set(try Self.ids(in: deny)) }

        let identity = DeviceIdentity(
            label: certPath,
            keyLabel: keyPath,
            chainPEM: try InspectCommand.read(certPath),
            keyPEM: try InspectCommand.read(keyPath)
        )
        var configuration = TLSConfiguration.makeServerConfiguration(identity: identity, trustRootsPEM: caPEM)
        configuration.crlPEMs = anchoredCRLs
        configuration.peerCheck = policy.peerCheck
        if let tls { configuration = configuration.only(tls) }
        configuration.alpn = self.alpn.flatMap { try? ALPNProtocols(list: $0) }
        configuration.ocspStaple = staple
        let context: TLSContext
        do {
            context = try TLSContext(configuration: configuration)
        } catch {
            let path: String? =
                switch error.code {
                case .emptyCABundle, .caBundleUnloadable: caPath
                case .crlUnsupported, .crlUnloadable: crlPath
                case .certificateUnloadable: certPath
                case .keyUnloadable, .keyEncrypted, .keyMismatch: keyPath
                case .contextUnavailable, .unsupportedCipherSuites, .unsupportedMaxFragmentLength, .noServerIdentity:
                    nil
                }
            throw InputError(.tls(error.code), error.message, path: path)
        }
        return ServeTrust(
            context: context,
            policy: policy,
            revoked: RevokedCertificates(allCRLs, issuers: anchors + intermediates)
        )
    }
}
