import Backend
import FleetTLS
import Foundation
import NIOConcurrencyHelpers

/// What `serve` does when its files change: CRLs (#15, revocation mid-run) and the OCSP staple.
extension ServeCommand {
    /// Context rebuilds (a CRL reload, a new staple file, an aia refresh) take turns, so the last
    /// context installed holds the newest of everything.
    static let rebuilds = NIOLock()

    /// The staple `--ocsp-staple` asks for, read (or fetched) and checked before anything listens;
    /// for `aia`, also what refreshes it once serving.
    func startStapling(certPath: String, caPath: String) async throws -> (ServerStapling, StapleRefresh?)? {
        guard let source = self.stapleOption.source else { return nil }
        let stapling = try ServerStapling(source: source, certPath: certPath, caPath: caPath, caChain: self.caChain)
        switch source {
        case .file(let path):
            try stapling.read(path)
            return (stapling, nil)
        case .aia:
            let refresh = try StapleRefresh(stapling: stapling, certPath: certPath)
            if let first = try await refresh.fetch(), first.verdict.name != "good" {
                Fleetsim.printError(
                    "the OCSP responder \(refresh.url) says \(certPath) is \(first.verdict.name): stapling that"
                )
            }
            return (stapling, refresh)
        }
    }

    /// Watches the CRLs and the staple file (and SIGHUP, which reloads both) while serving. One
    /// watcher each, so a CRL and a staple that change in the same second are both picked up; the
    /// rebuilds take turns, so the last context installed has the newest CRLs and staple.
    func watchFiles(
        crlPaths: [String],
        stapling: ServerStapling?,
        load: @escaping @Sendable () throws -> ServeTrust,
        server: BackendServer,
        revocation: RevocationState
    ) -> [CRLReload] {
        let drop = self.dropRevoked
        let turns = Self.rebuilds
        var watchers: [CRLReload] = []
        if !crlPaths.isEmpty {
            watchers.append(
                CRLReload(paths: crlPaths) { why in
                    turns.withLock { Self.reload(why, load: load, server: server, revocation: revocation, drop: drop) }
                }
            )
        }
        if let stapling, case .file(let path) = stapling.source {
            watchers.append(
                CRLReload(paths: [path]) { why in
                    turns.withLock { Self.restaple(why, from: path, stapling: stapling, load: load, server: server) }
                }
            )
        }
        return watchers
    }

    /// Re-reads the staple file; a new, good response goes into a new context (wolfSSL caches the
    /// old one in the context until its nextUpdate). A file that fails the check keeps the staple in
    /// use, and says so.
    static func restaple(
        _ why: String,
        from path: String,
        stapling: ServerStapling,
        load: () throws -> ServeTrust,
        server: BackendServer
    ) {
        let record: AuditRecord
        do {
            guard let new = try stapling.read(path) else { return }
            server.replace(try load().context)
            let text = "OCSP staple reloaded (\(why)): good until \(new.staple.nextUpdate)"
            record = .event(verdict: "reloaded", reason: text, phase: "ocsp-staple")
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        } catch {
            let text =
                "OCSP staple reload (\(why)) failed, the staple in use stays: \((error as? InputError)?.line ?? "\(error)")"
            record = .event(verdict: "reload-failed", reason: text, phase: "ocsp-staple")
            Fleetsim.printError(text)
        }
        server.audit.write(record)
    }

    /// Rebuilds the trust from the files; new connections get it, resumed sessions are checked
    /// against its revocations, and with `--drop-revoked` open sessions of now-revoked devices close.
    /// A reload that fails (a CRL unreadable or expired) keeps what is in use, and says so.
    static func reload(
        _ why: String,
        load: () throws -> ServeTrust,
        server: BackendServer,
        revocation: RevocationState,
        drop: Bool
    ) {
        let record: AuditRecord
        do {
            let trust = try load()
            server.replace(trust.context)
            revocation.update(trust.revoked)
            let told = drop ? server.broadcast(trust.revoked) : 0
            let text =
                "CRLs reloaded (\(why)): \(trust.revoked.count) certificates revoked"
                + (drop ? "; \(told) open connections checked" : "")
            record = .event(verdict: "reloaded", reason: text, phase: "crl")
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        } catch {
            let text = "CRL reload (\(why)) failed, the CRLs in use stay: \((error as? InputError)?.line ?? "\(error)")"
            record = .event(verdict: "reload-failed", reason: text, phase: "crl")
            Fleetsim.printError(text)
        }
        server.audit.write(record)
    }
}
