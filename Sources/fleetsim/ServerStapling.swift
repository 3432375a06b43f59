import FleetPKI
import FleetTLS
import Foundation
import NIOConcurrencyHelpers
import X509

/// `serve`'s staple: the server certificate and its issuer, where the response comes from, and the
/// response in use (read by every context rebuild, replaced by a re-read or a refresh).
final class ServerStapling: Sendable {
    let source: StapleSource
    let certificate: Certificate
    let issuer: Certificate
    private let current = NIOLockedValueBox<ServerStaple?>(nil)

    /// The response in use; nil while there is none (aia before its first answer, or expired).
    var staple: ServerStaple? { self.current.withLockedValue { $0 } }

    /// Finds the server certificate's issuer (its chain file, `--ca`, `--ca-chain`) and refuses a
    /// set-up wolfSSL 5.5.4 cannot staple in: the issuer must be a trusted CA of `--ca`, because
    /// wolfSSL checks the server's own certificate and the response against that store, and without
    /// the issuer there every device asking for a staple fails its handshake (measured: -188).
    init(source: StapleSource, certPath: String, caPath: String, caChain: String?) throws {
        let chain = try InspectCommand.certificates(at: certPath)
        let anchors = try InspectCommand.certificates(at: caPath)
        let others = try caChain.map(InspectCommand.certificates) ?? []
        let leaf = chain[0]
        let isIssuer: (Certificate) -> Bool = {
            $0.subject == leaf.issuer && $0.publicKey.isValidSignature(leaf.signature, for: leaf)
        }
        guard let issuer = (chain.dropFirst() + anchors + others).first(where: isIssuer) else {
            throw InputError(
                .stapleIssuerUntrusted,
                "--ocsp-staple: the issuer of \(certPath) ('\(leaf.issuer)') is in neither that file, --ca nor --ca-chain; add it to --ca \(caPath)",
                path: certPath
            )
        }
        guard anchors.contains(where: isIssuer) else {
            throw InputError(
                .stapleIssuerUntrusted,
                "--ocsp-staple: the issuer of \(certPath) ('\(leaf.issuer)') must be a CA of --ca \(caPath): wolfSSL checks the server certificate and its staple against the trusted CAs; if it is not the CA that signs devices, staple from another serve",
                path: caPath
            )
        }
        self.source = source
        self.certificate = leaf
        self.issuer = issuer
    }

    /// Reads and checks a response file; the one in use stays when it fails.
    ///
    /// - Returns: the new staple, or nil when the file holds the response already in use.
    /// - Throws: ``InputError`` `ocsp-staple:<code>` naming the file and what is wrong.
    @discardableResult
    func read(_ path: String, now: Date = Date()) throws -> Accepted? {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            let missing = !FileManager.default.fileExists(atPath: path)
            throw InputError(
                .pki(missing ? .noSuchFile : .fileUnreadable),
                "--ocsp-staple \(path): \(missing ? "no such file" : "cannot be read (\(error.localizedDescription))"); give a DER OCSP response (openssl ocsp -respout FILE) or 'aia'",
                path: path
            )
        }
        let staple = try self.accept(bytes, requireGood: true, now: now) { problem in
            InputError(
                .ocspStaple(problem.code),
                "--ocsp-staple \(path): cannot staple it: \(problem.description)",
                path: path
            )
        }
        return staple
    }

    /// A response that became the staple in use, and the status it gives.
    struct Accepted {
        let staple: ServerStaple
        let status: OCSPCertStatus
    }

    /// Checks `bytes` and makes them the staple in use.
    ///
    /// - Returns: the new staple, or nil when they are the response already in use.
    func accept(
        _ bytes: [UInt8],
        requireGood: Bool,
        now: Date = Date(),
        error: (OCSPStapleCheck.Problem) -> some Error
    ) throws -> Accepted? {
        let single: OCSPSingleResponse
        do {
            single = try OCSPStapleCheck.check(
                bytes,
                certificate: self.certificate,
                issuer: self.issuer,
                now: now,
                requireGood: requireGood
            )
        } catch let problem {
            throw error(problem)
        }
        // check() returns only responses with a nextUpdate.
        let staple = ServerStaple(der: bytes, nextUpdate: single.nextUpdate ?? now)
        return self.current.withLockedValue { current in
            guard current != staple else { return nil }
            current = staple
            return Accepted(staple: staple, status: single.status)
        }
    }

    /// Forgets the response in use (it expired): contexts built from now on staple nothing.
    func clear() {
        self.current.withLockedValue { $0 = nil }
    }
}
