import FleetOCSP
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
        // Read up to the bound only: a device file or a huge one must not hang or exhaust `serve`.
        let limit = OCSPClient.maximumResponseBytes
        let bytes: [UInt8]
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoPermission) }
            defer { try? handle.close() }
            bytes = Array(try handle.read(upToCount: limit + 1) ?? Data())
        } catch {
            let missing = !FileManager.default.fileExists(atPath: path)
            throw InputError(
                .pki(missing ? .noSuchFile : .fileUnreadable),
                "--ocsp-staple \(path): \(missing ? "no such file" : "cannot be read (\(error.localizedDescription))"); give a DER OCSP response (openssl ocsp -respout FILE) or 'aia'",
                path: path
            )
        }
        guard bytes.count <= limit else {
            throw InputError(
                .ocspStaple(.unusable),
                "--ocsp-staple \(path): over \(limit / 1024) KB, not an OCSP response for one certificate",
                path: path
            )
        }
        let staple = try self.accept(bytes, allowRevoked: false, now: now) { problem, why in
            InputError(.ocspStaple(problem), "--ocsp-staple \(path): cannot staple it: \(why)", path: path)
        }
        return staple
    }

    /// A response that became the staple in use, and what it says (`good`, or `revoked` in aia mode).
    struct Accepted {
        let staple: ServerStaple
        let verdict: OCSPVerdict
    }

    /// Why a response is not stapled, as a stable code (`error[ocsp-staple:CODE]`).
    enum Problem: String, Sendable {
        /// Not an OCSP response, or an error status (`tryLater`, `unauthorized`…).
        case unusable
        /// Not to be believed: another certificate's, a signer that is neither the issuer nor a
        /// responder it authorised, stale by more than the clock skew, thisUpdate ahead.
        case invalid
        /// Believable, but without a nextUpdate or past it: a device would refuse it.
        case notCurrent = "not-current"
        /// Says unknown, or revoked where a good status is required (a file).
        case notGood = "not-good"
    }

    /// Checks `bytes` as every relying party in fleetsim does (``OCSPResponseCheck``), and makes
    /// them the staple in use.
    ///
    /// - Parameter allowRevoked: aia mode: a revoked answer is stapled as the responder gave it.
    /// - Returns: the new staple, or nil when they are the response already in use.
    func accept(
        _ bytes: [UInt8],
        allowRevoked: Bool,
        now: Date = Date(),
        error: (Problem, String) -> some Error
    ) throws -> Accepted? {
        let verdict = OCSPResponseCheck(certificate: self.certificate, issuer: self.issuer).judge(bytes, now: now)
        switch verdict {
        case .unavailable: throw error(.unusable, verdict.explanation)
        case .invalid: throw error(.invalid, verdict.explanation)
        case .unknown: throw error(.notGood, verdict.explanation)
        case .revoked where !allowRevoked: throw error(.notGood, "it says the certificate is \(verdict.explanation)")
        case .good, .revoked: break
        }
        guard let nextUpdate = verdict.nextUpdate, nextUpdate > now else {
            let when =
                verdict.nextUpdate.map { "its nextUpdate \($0.formatted(.iso8601)) has passed" }
                ?? "it has no nextUpdate"
            throw error(.notCurrent, "\(when): fetch a fresh one")
        }
        let staple = ServerStaple(der: bytes, nextUpdate: nextUpdate)
        return self.current.withLockedValue { current in
            guard current != staple else { return nil }
            current = staple
            return Accepted(staple: staple, verdict: verdict)
        }
    }

    /// Forgets the response in use (it expired): contexts built from now on staple nothing.
    func clear() {
        self.current.withLockedValue { $0 = nil }
    }
}
