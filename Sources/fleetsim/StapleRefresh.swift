import Backend
import FleetOCSP
import FleetPKI
import FleetTLS
import Foundation
import X509

/// `serve --ocsp-staple aia`: the server certificate's status fetched from the OCSP URL of its AIA,
/// once before serving and then at half the validity left, by a task of its own (the event loops
/// only ever read the bytes). A failed refresh keeps the last good response until its nextUpdate,
/// then nothing is stapled; each refresh, failure and expiry is audited (phase `ocsp-staple`).
/// A `revoked` answer is stapled as given: the server cannot vouch for itself, its devices decide.
final class StapleRefresh: Sendable {
    let url: OCSPURL
    let request: [UInt8]
    let stapling: ServerStapling

    /// The AIA OCSP URL of the server certificate, and the request for its status (SHA-1 CertID,
    /// no nonce: a stapled response is fetched before any device asks, RFC 6066 §8).
    ///
    /// - Throws: ``InputError`` `staple-no-aia` when the certificate names no http:// responder.
    init(stapling: ServerStapling, certPath: String) throws {
        guard let url = OCSPLookup.responderURLs(of: stapling.certificate).first else {
            throw InputError(
                .stapleNoAIA,
                "--ocsp-staple aia: \(certPath) names no http:// OCSP responder (Authority Information Access); give a response file instead, or a certificate made with `pki init --ocsp-url`",
                path: certPath
            )
        }
        self.url = url
        self.stapling = stapling
        do {
            let certID = try OCSPCertID(certificate: stapling.certificate, issuer: stapling.issuer)
            self.request = try OCSPRequest(certIDs: [certID]).derEncoded()
        } catch {
            throw InputError(.stapleNoAIA, "--ocsp-staple aia: cannot make the OCSP request (\(error))", path: certPath)
        }
    }

    /// Fetches and checks one response; it becomes the staple in use.
    ///
    /// - Returns: the new staple, or nil when the responder answered what is already stapled.
    func fetch() async throws -> ServerStapling.Accepted? {
        let bytes: [UInt8]
        do {
            bytes = try await OCSPClient().post(self.request, to: self.url)
        } catch {
            throw InputError(.stapleUnavailable, "--ocsp-staple aia: no OCSP response from \(self.url): \(error)")
        }
        return try self.stapling.accept(bytes, allowRevoked: true) { problem, why in
            InputError(.ocspStaple(problem), "--ocsp-staple aia: the answer of \(self.url) cannot be stapled: \(why)")
        }
    }

    /// When to ask next: at half the validity left, at least a second from now; sooner after a
    /// failure (a tenth of what is left, 1–60 s), so a responder back up is used before expiry.
    static func delay(until nextUpdate: Date?, failed: Bool, now: Date = Date()) -> TimeInterval {
        guard let nextUpdate else { return failed ? 5 : 1 }
        let left = nextUpdate.timeIntervalSince(now)
        return failed ? min(60, max(1, left / 10)) : max(1, left / 2)
    }

    /// Refreshes until cancelled; `changed` rebuilds the context after each new staple or expiry.
    func run(audit: AuditLog, changed: @escaping @Sendable () throws -> Void) -> Task<Void, Never> {
        Task.detached {
            var failed = false
            while !Task.isCancelled {
                let wait = Self.delay(until: self.stapling.staple?.nextUpdate, failed: failed)
                try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                if Task.isCancelled { return }
                do {
                    if let new = try await self.fetch() {
                        try changed()
                        self.log(
                            audit,
                            "reloaded",
                            "OCSP staple refreshed from \(self.url): \(new.verdict.name), valid until \(new.staple.nextUpdate)"
                        )
                    }
                    failed = false
                } catch {
                    failed = true
                    let reason = (error as? InputError)?.line ?? "\(error)"
                    if let current = self.stapling.staple, current.nextUpdate <= Date() {
                        self.stapling.clear()
                        try? changed()
                        self.log(audit, "expired", "OCSP staple expired, none stapled until a refresh works: \(reason)")
                    } else {
                        self.log(
                            audit,
                            "reload-failed",
                            "OCSP staple refresh failed, the staple in use stays: \(reason)"
                        )
                    }
                }
            }
        }
    }

    private func log(_ audit: AuditLog, _ verdict: String, _ text: String) {
        audit.write(.event(verdict: verdict, reason: text, phase: "ocsp-staple"))
        if verdict == "reloaded" {
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        } else {
            Fleetsim.printError(text)
        }
    }
}
