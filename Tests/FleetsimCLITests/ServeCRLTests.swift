import FleetTestSupport
import Foundation
import Testing

/// `fleetsim serve` with CRLs as real PKIs have them, made with the `openssl` CLI: a bundle of
/// several CRLs (the root's and the issuing CA's), the issuing CA's CRL checked with only the root
/// trusted (as Mosquitto takes the same `cafile`/`crlfile` pair) — and the intermediate never
/// becomes a trust anchor.
@Suite(.serialized) struct ServeCRLTests {
    @Test func aBundleWithAnIssuingCAsCRLWorksWithARootsOnlyCA() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-serve-crl")
        defer { directory.remove() }
        let root = try await OpenSSLCA.make("crl-root", in: directory)
        let issuing = try await root.issueIntermediate("crl-issuing")
        let (serverCertificate, serverKey) = try await root.issue("broker", extensions: "server")
        let identities = directory.path("identities")
        try FileManager.default.createDirectory(atPath: identities, withIntermediateDirectories: true)
        let intermediatePEM = try String(contentsOfFile: issuing.certificate, encoding: .utf8)
        var leaves: [String: String] = [:]
        for id in ["tcu-good", "tcu-revoked", "tcu-nochain"] {
            let (certificate, key) = try await issuing.issue(id)
            leaves[id] = certificate
            let leaf = try String(contentsOfFile: certificate, encoding: .utf8)
            try (id == "tcu-nochain" ? leaf : leaf + intermediatePEM).write(
                toFile: "\(identities)/\(id).pem",
                atomically: true,
                encoding: .utf8
            )
            try FileManager.default.copyItem(atPath: key, toPath: "\(identities)/\(id).key")
        }
        try await issuing.revoke(leaves["tcu-revoked"]!)
        let bundle = try directory.write(
            "crls.pem",
            try String(contentsOfFile: try await root.crl(), encoding: .utf8)
                + String(contentsOfFile: try await issuing.crl(), encoding: .utf8)
        )
        let audit = directory.path("audit.jsonl")
        let server = try await FleetsimServer(
            [
                "--ca", root.certificate, "--cert", serverCertificate, "--key", serverKey, "--crl", bundle,
                "--protocol", "tls",
                "--audit", audit,
            ],
            in: directory
        )
        defer { server.stop() }

        let json = directory.path("report.json")
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--identities", identities, "--ca", root.certificate,
                "--server-name", "localhost", "--protocol", "tls", "--json", json, "--per-device", "--quiet",
            ],
            in: directory
        )
        #expect([0, 1].contains(run.status), "\(run.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        let outcomes = Dictionary(
            uniqueKeysWithValues: ((report["devices"] as? [[String: Any]]) ?? []).map {
                ($0["id"] as? String ?? "", $0["outcome"] as? String ?? "")
            }
        )
        #expect(outcomes["tcu-good"] == "ok", "\(outcomes) — \(server.process.output)")
        #expect(outcomes["tcu-revoked"]?.hasPrefix("rejected:") == true, "\(outcomes)")
        #expect(
            outcomes["tcu-nochain"]?.hasPrefix("rejected:") == true,
            "the issuing CA is no trust anchor: \(outcomes)"
        )

        let lines = try await AuditLogFile(audit).waitForLines(3)
        let revoked = try #require(lines.first { $0.deviceID == "tcu-revoked" })
        #expect(revoked.verdict == "rejected")
        #expect(revoked.reason?.hasPrefix("policy: revoked") == true, "\(revoked.reason ?? "")")
    }

    @Test func serveRefusesACRLNobodyCanVouchFor() async throws {
        // A CRL whose issuer is neither trusted nor presented by devices: the device is refused, not
        // let through unchecked (fail closed).
        let directory = try TemporaryDirectory(prefix: "fleetsim-serve-crl")
        defer { directory.remove() }
        let root = try await OpenSSLCA.make("crl-root", in: directory)
        let issuing = try await root.issueIntermediate("crl-issuing")
        let other = try await OpenSSLCA.make("other-root", in: directory)
        let (serverCertificate, serverKey) = try await root.issue("broker", extensions: "server")
        let identities = directory.path("identities")
        try FileManager.default.createDirectory(atPath: identities, withIntermediateDirectories: true)
        let (certificate, key) = try await issuing.issue("tcu-good")
        try
            (try String(contentsOfFile: certificate, encoding: .utf8)
            + String(contentsOfFile: issuing.certificate, encoding: .utf8))
            .write(toFile: "\(identities)/tcu-good.pem", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: key, toPath: "\(identities)/tcu-good.key")
        let server = try await FleetsimServer(
            [
                "--ca", root.certificate, "--cert", serverCertificate, "--key", serverKey, "--crl",
                try await other.crl(), "--protocol", "tls",
            ],
            in: directory
        )
        defer { server.stop() }
        let json = directory.path("report.json")
        _ = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--identities", identities, "--ca", root.certificate,
                "--server-name", "localhost", "--protocol", "tls", "--json", json, "--per-device", "--quiet",
            ],
            in: directory
        )
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        let device = try #require((report["devices"] as? [[String: Any]])?.first)
        #expect((device["outcome"] as? String)?.hasPrefix("rejected:") == true, "\(device)")
    }
}
