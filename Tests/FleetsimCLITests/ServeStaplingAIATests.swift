import FleetTestSupport
import Foundation
import Testing

/// `serve --ocsp-staple aia`: the status fetched from the server certificate's AIA responder —
/// `fleetsim pki ocsp`, and `openssl ocsp -index` for an openssl-made CA (its `-port` takes no
/// address: it listens on every interface, asked on 127.0.0.1) — judged by a
/// `fleetsim run --ocsp must-staple` device; refreshed before nextUpdate, kept while the responder
/// is down, and dropped once it expired.
@Suite(.serialized) struct ServeStaplingAIATests {
    /// A fleetsim PKI whose certificates name a responder on a free port, and that responder.
    static func fleetsimPKI(
        _ directory: TemporaryDirectory,
        validity: String = "1h"
    ) async throws -> (certs: String, responder: FleetsimServer) {
        let port = FreePort.find()
        let certs = try await PKIOCSPCommandTests.makePKI(
            in: directory,
            devices: 1,
            ocspURL: "http://127.0.0.1:\(port)/"
        )
        let responder = try await FleetsimServer(
            ["--dir", certs, "--validity", validity],
            in: directory,
            port: port,
            command: ["pki", "ocsp"]
        )
        return (certs, responder)
    }

    @Test func aMustStapleDeviceIsAcceptedWithTheFetchedStapleAndRefusedWithout() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-staple-aia")
        defer { directory.remove() }
        let (certs, responder) = try await Self.fleetsimPKI(directory)
        defer { responder.stop() }
        let stapling = try await FleetsimServer(
            ["--dir", certs, "--protocol", "tls", "--ocsp-staple", "aia"],
            in: directory
        )
        defer { stapling.stop() }
        let devices = "\(certs)/devices"
        let root = "\(certs)/root.pem"
        let (outcome, seen) = try await MustStapleDevice.run(
            port: stapling.port,
            identities: devices,
            ca: root,
            in: directory
        )
        #expect(outcome == "ok")
        #expect(seen == "good")
        let plain = try await FleetsimServer(["--dir", certs, "--protocol", "tls"], in: directory)
        defer { plain.stop() }
        let (refused, missing) = try await MustStapleDevice.run(
            port: plain.port,
            identities: devices,
            ca: root,
            in: directory
        )
        #expect(refused == "server-untrusted")
        #expect(missing == "missing")
    }

    @Test func anOpenSSLResponderSaysGoodOrRevokedAndTheDeviceSeesIt() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-staple-openssl")
        defer { directory.remove() }
        let ca = try await OpenSSLCA.make("aia-ca", in: directory)
        let port = FreePort.find()
        let server = try await ca.issueServer("broker", ocspURL: "http://127.0.0.1:\(port)/")
        let (identities, _) = try await ca.identities(["tcu-1"], in: directory.path("identities"))
        for revoked in [false, true] {
            if revoked { try await ca.revoke(server.0) }
            let responder = try ForeignProcess(
                "openssl",
                [
                    "ocsp", "-index", directory.path("aia-ca-state/index.txt"), "-port", "\(port)",
                    "-rsigner", ca.certificate, "-rkey", ca.key, "-CA", ca.certificate, "-ndays", "1",
                ],
                in: directory,
                name: "openssl-ocsp-\(revoked)"
            )
            defer { responder.stop() }
            try await responder.waitForOutput("ACCEPT")
            let backend = try await FleetsimServer(
                [
                    "--ca", ca.certificate, "--cert", server.0, "--key", server.1, "--protocol", "tls",
                    "--ocsp-staple", "aia",
                ],
                in: directory
            )
            defer { backend.stop() }
            let (outcome, seen) = try await MustStapleDevice.run(
                port: backend.port,
                identities: identities,
                ca: ca.certificate,
                in: directory
            )
            #expect(outcome == (revoked ? "server-untrusted" : "ok"), "revoked \(revoked)")
            #expect(seen == (revoked ? "revoked" : "good"), "revoked \(revoked)")
        }
    }

    /// Answers valid 20 s (`pki ocsp` dates thisUpdate a minute back): refreshed at half the
    /// validity left; with the responder gone the staple stays until nextUpdate (about 10 s after
    /// the failed refresh), then none.
    @Test func aRefreshReplacesTheStapleAndAnExpiredOneIsNoLongerStapled() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-staple-refresh")
        defer { directory.remove() }
        let (certs, responder) = try await Self.fleetsimPKI(directory, validity: "80s")
        let audit = AuditLogFile(directory.path("audit.jsonl"))
        let backend = try await FleetsimServer(
            [
                "--dir", certs, "--protocol", "tls", "--ocsp-staple", "aia", "--audit", audit.path, "--metrics",
                "127.0.0.1:0",
            ],
            in: directory
        )
        defer { backend.stop() }
        let metrics = try await MetricsScrape(printedBy: backend.process)
        let staple = { (verdict: String) in
            { (line: AuditLine) in line.verdict == verdict && line.phase == "ocsp-staple" }
        }
        try await audit.waitForLines(1, where: staple("reloaded"), timeout: .seconds(30))
        responder.stop()
        try await audit.waitForLines(1, where: staple("reload-failed"), timeout: .seconds(30))
        let device = {
            try await MustStapleDevice.run(
                port: backend.port,
                identities: "\(certs)/devices",
                ca: "\(certs)/root.pem",
                in: directory
            )
        }
        let (stillOK, good) = try await device()
        if good != "good" {
            // Only the staple's expiry may explain it: a loaded machine can use up its last seconds.
            try await audit.waitForLines(1, where: staple("expired"), timeout: .seconds(5))
        }
        #expect(stillOK == "ok" || good == "missing", "\(stillOK) \(good ?? "-")")
        try await audit.waitForLines(1, where: staple("expired"), timeout: .seconds(30))
        let (refused, missing) = try await device()
        #expect(refused == "server-untrusted")
        #expect(missing == "missing")
        let counted = try metrics.samples()
        for event in ["reloaded", "reload-failed", "expired"] {
            #expect((counted[#"fleetsim_serve_ocsp_staple_total{event="\#(event)"}"#] ?? 0) >= 1, "\(event)")
        }
    }

    @Test func noResponderOrNoAIAStopsStartUp() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-staple-down")
        defer { directory.remove() }
        let certs = try await PKIOCSPCommandTests.makePKI(
            in: directory,
            devices: 1,
            ocspURL: "http://127.0.0.1:\(FreePort.find())/"
        )
        let down = try await MustStapleDevice.serveRefused(["--dir", certs, "--ocsp-staple", "aia"], in: directory)
        #expect(down.status == 2, "\(down.output)")
        #expect(down.stderr.contains("error[staple-unavailable]"), "\(down.output)")
        let plain = try await PKIOCSPCommandTests.makePKI(in: directory, devices: 1, name: "plain")
        let noAIA = try await MustStapleDevice.serveRefused(["--dir", plain, "--ocsp-staple", "aia"], in: directory)
        #expect(noAIA.status == 2, "\(noAIA.output)")
        #expect(noAIA.stderr.contains("error[staple-no-aia]"), "\(noAIA.output)")
    }
}
