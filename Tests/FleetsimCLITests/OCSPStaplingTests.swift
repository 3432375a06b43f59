import FleetTestSupport
import Foundation
import Testing

/// `--ocsp staple|must-staple` against `openssl s_server -status_file`, with staples made by
/// `openssl ocsp` (good, revoked, wrong signer, unknown) and one dated in the past (stale). The
/// server certificate names an OCSP responder that only listens: a device must never contact it.
@Suite(.serialized) struct OCSPStaplingTests {
    struct Setup {
        let directory: TemporaryDirectory
        let ca: OpenSSLCA
        let identities: String
        var server: (certificate: String, key: String)
        /// Staple files by name: good, revoked, wrong-signer, unknown, stale.
        var staples: [String: String]
        let responder: SilentListener
    }

    static func make() async throws -> Setup {
        let directory = try TemporaryDirectory(prefix: "fleetsim-ocsp")
        let responder = try SilentListener()
        let ca = try await OpenSSLCA.make("ocsp-ca", in: directory)
        let other = try await OpenSSLCA.make("other-ca", in: directory)
        let server = try await ca.issueServer("broker", ocspURL: "http://127.0.0.1:\(responder.port)/")
        let (identities, _) = try await ca.identities(["tcu-1"], in: directory.path("identities"))
        var staples: [String: String] = [:]
        staples["good"] = try await ca.ocspResponse(for: server.0, .fromDatabase, name: "good")
        staples["wrong-signer"] = try await ca.ocspResponse(for: server.0, .signedBy(other), name: "wrong-signer")
        staples["unknown"] = try await ca.ocspResponse(for: server.0, .unknown, name: "unknown")
        staples["stale"] = try await ca.ocspResponse(for: server.0, .stale, name: "stale")
        try await ca.revoke(server.0)
        staples["revoked"] = try await ca.ocspResponse(for: server.0, .fromDatabase, name: "revoked")
        return Setup(
            directory: directory,
            ca: ca,
            identities: identities,
            server: server,
            staples: staples,
            responder: responder
        )
    }

    /// One device against s_server stapling `staple` (nil: none); returns (outcome, ocspStaple).
    static func connect(
        _ setup: Setup,
        staple: String?,
        version: String,
        flags: [String]
    ) async throws -> (String, String?) {
        let server = try await OpenSSLServer(
            certificate: setup.server.certificate,
            chain: setup.ca.certificate,
            key: setup.server.key,
            clientCA: setup.ca.certificate,
            version: version,
            in: setup.directory,
            extraArguments: staple.map { ["-status_file", setup.staples[$0]!] } ?? []
        )
        defer { server.stop() }
        let json = setup.directory.path("report-\(UUID().uuidString.prefix(6)).json")
        let result = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--identities", setup.identities, "--ca",
                setup.ca.certificate, "--server-name", "localhost", "--protocol", "tls", "--json", json,
                "--per-device", "--quiet",
            ] + flags,
            in: setup.directory
        )
        #expect([0, 1].contains(result.status), "\(result.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        let device = try #require((report["devices"] as? [[String: Any]])?.first)
        return (device["outcome"] as? String ?? "", device["ocspStaple"] as? String)
    }

    @Test(arguments: ["1.2", "1.3"])
    func stapleModeJudgesTheStapleAndAcceptsNone(version: String) async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        let cases: [(staple: String?, outcome: String, status: String)] = [
            ("good", "ok", "good"),
            (nil, "ok", "absent"),
            ("revoked", "server-untrusted", "revoked"),
            ("wrong-signer", "server-untrusted", "invalid"),
            ("unknown", "server-untrusted", "invalid"),
            ("stale", "server-untrusted", "invalid"),
        ]
        for expected in cases {
            let (outcome, status) = try await Self.connect(
                setup,
                staple: expected.staple,
                version: version,
                flags: ["--ocsp", "staple"]
            )
            #expect(outcome == expected.outcome, "TLS \(version), staple \(expected.staple ?? "none")")
            #expect(status == expected.status, "TLS \(version), staple \(expected.staple ?? "none")")
        }
        #expect(!setup.responder.wasContacted, "a device never asks the responder itself")
    }

    @Test(arguments: ["1.2", "1.3"])
    func mustStapleRefusesAServerWithoutOne(version: String) async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        let missing = try await Self.connect(setup, staple: nil, version: version, flags: ["--ocsp", "must-staple"])
        #expect(missing.0 == "server-untrusted")
        #expect(missing.1 == "missing")
        let good = try await Self.connect(setup, staple: "good", version: version, flags: ["--ocsp", "must-staple"])
        #expect(good.0 == "ok")
        #expect(good.1 == "good")
        let revoked = try await Self.connect(
            setup,
            staple: "revoked",
            version: version,
            flags: ["--ocsp", "must-staple"]
        )
        #expect(revoked.0 == "server-untrusted")
        #expect(revoked.1 == "revoked")
        #expect(!setup.responder.wasContacted)
    }

    @Test func offIgnoresStaplesAndNeverLooksUp() async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        for version in ["1.2", "1.3"] {
            let (outcome, status) = try await Self.connect(setup, staple: "revoked", version: version, flags: [])
            #expect(outcome == "ok", "without --ocsp the device asks for no staple and judges none")
            #expect(status == nil)
        }
        #expect(!setup.responder.wasContacted)
    }

    @Test(arguments: ["1.2", "1.3"])
    func aCertificateThatRequiresAStapleIsRefusedWithoutOne(version: String) async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        // Same key and CA, with RFC 7633's TLS feature: the server promises a staple.
        let promising = try await setup.ca.issueServer(
            "broker-must-staple",
            ocspURL: "http://127.0.0.1:\(setup.responder.port)/",
            mustStaple: true
        )
        let good = try await setup.ca.ocspResponse(for: promising.0, .fromDatabase, name: "must-staple-good")
        var promisingSetup = setup
        promisingSetup.server = promising
        promisingSetup.staples["good"] = good
        let missing = try await Self.connect(
            promisingSetup,
            staple: nil,
            version: version,
            flags: ["--ocsp", "staple"]
        )
        #expect(missing.0 == "server-untrusted")
        #expect(missing.1 == "missing")
        let stapled = try await Self.connect(
            promisingSetup,
            staple: "good",
            version: version,
            flags: ["--ocsp", "staple"]
        )
        #expect(stapled.0 == "ok")
        #expect(stapled.1 == "good")
        let off = try await Self.connect(promisingSetup, staple: nil, version: version, flags: [])
        #expect(off.0 == "ok", "without --ocsp the device does not judge staples at all")
        #expect(!setup.responder.wasContacted)
    }

    @Test func reproShowsTheStaple() async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        for (staple, status, accepted) in [("good", "good", true), ("revoked", "revoked", false)] {
            let server = try await OpenSSLServer(
                certificate: setup.server.certificate,
                chain: setup.ca.certificate,
                key: setup.server.key,
                clientCA: setup.ca.certificate,
                version: "1.2",
                in: setup.directory,
                extraArguments: ["-status_file", setup.staples[staple]!]
            )
            defer { server.stop() }
            let run = try await FleetsimBinary.run(
                [
                    "repro", "tcu-1", "--target", "127.0.0.1:\(server.port)", "--identities", setup.identities,
                    "--ca", setup.ca.certificate, "--server-name", "localhost", "--ocsp", "staple", "--json",
                ],
                in: setup.directory
            )
            #expect(run.status == (accepted ? 0 : 1), "\(run.output)")
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                "\(run.output)"
            )
            #expect(json["ocspStaple"] as? String == status)
            // TLS 1.2: the staple travels in clear and repro reads it.
            let facts = try #require(json["stapledOCSP"] as? [String: Any], "\(run.output)")
            #expect(facts["status"] as? String == status)
            #expect(facts["thisUpdate"] != nil)
            #expect(facts["nextUpdate"] != nil)
            #expect(facts["responder"] as? String == "CN=ocsp-ca")
            #expect(json["outcome"] as? String == (accepted ? "ok" : "server-untrusted"))
        }
        #expect(!setup.responder.wasContacted)
    }

    @Test func theProfileKeyAppliesAndTheFlagOverridesIt() async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        let profile = setup.directory.path("must-staple.yaml")
        try "tls:\n  ocsp: must-staple\n".write(toFile: profile, atomically: true, encoding: .utf8)
        let byProfile = try await Self.connect(setup, staple: nil, version: "1.3", flags: ["--profile", profile])
        #expect(byProfile.0 == "server-untrusted")
        #expect(byProfile.1 == "missing")
        let overridden = try await Self.connect(
            setup,
            staple: nil,
            version: "1.3",
            flags: ["--profile", profile, "--ocsp", "off"]
        )
        #expect(overridden.0 == "ok")
        #expect(overridden.1 == nil)
    }
}
