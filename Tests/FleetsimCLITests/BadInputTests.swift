import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// Hardening: bad configuration never crashes fleetsim. Whole-run inputs (CA, CRL, profile, flags)
/// exit 2 with a message naming the file or field; a bad device in a fleet ends `identity-invalid`
/// with a reason, and the other devices run.
@Suite(.serialized) struct BadInputTests {
    @Test func badRunInputsExitTwoNamingTheFileOrField() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let d = fixture.directory
        let layout = fixture.layout
        let garbage = try d.write("garbage.pem", "this is not PEM at all\n")
        let empty = try d.write("empty.pem", "")
        let keyAsCA = layout.deviceKey(fixture.devices[.none]!)
        let garbageYAML = try d.write("garbage.yaml", "tls: [unclosed\n  - :")
        let wrongType = try d.write("wrong-type.yaml", "timeouts:\n  connect: fast\n")
        let base = ["run", "--target", "127.0.0.1:1", "--identities", layout.devices]
        let root = base + ["--ca", layout.rootCertificate]
        // Input errors: their `error[CODE]` and the file, key or value the message names.
        let inputErrors: [(arguments: [String], code: String, names: String)] = [
            (base + ["--ca", d.path("missing.pem")], "pki:no-such-file", "missing.pem"),
            (base + ["--ca", d.path("")], "pki:file-unreadable", d.path("")),  // a directory where a file belongs
            (base + ["--ca", garbage], "pki:not-pem", "garbage.pem"),
            (base + ["--ca", empty], "pki:not-pem", "empty.pem"),
            (base + ["--ca", keyAsCA], "pki:not-a-certificate", keyAsCA),
            (root + ["--crl", garbage], "not-a-crl", "garbage.pem"),
            (root + ["--profile", d.path("missing.yaml")], "profile:unreadable-file", "missing.yaml"),
            (root + ["--profile", garbageYAML], "profile:not-yaml", "garbage.yaml"),
            (root + ["--profile", wrongType], "profile:bad-value", "timeouts.connect"),
            (root + ["--ciphers", "NO-SUCH-CIPHER"], "tls:unsupported-cipher-suites", "NO-SUCH-CIPHER"),
        ]
        for (arguments, code, names) in inputErrors {
            let result = try await FleetsimBinary.run(arguments, in: d)
            #expect(result.status == 2, "\(arguments.suffix(4)): \(result.output)")
            #expect(result.inputErrorCode == code, "\(arguments.suffix(4)): \(result.stderr)")
            #expect(result.stderr.contains(names), "\(arguments.suffix(4)): \(result.stderr)")
        }
        // Usage errors (swift-argument-parser's form, no code): the message names the flag.
        let usageErrors: [(arguments: [String], flag: String)] = [
            (root + ["--rate", "0"], "--rate"),
            (root + ["--rate", "nan"], "--rate"),
            (root + ["--concurrency", "0"], "--concurrency"),
            (root + ["--ramp", "1x", "--rate", "5"], "--ramp"),
            (root + ["--churn-pause", "soon"], "--churn-pause"),
            (root + ["--clock-skew=yesterday"], "--clock-skew"),
            (root + ["--clock-start", "2000-13-45"], "--clock-start"),
            (root + ["--max-fragment", "700"], "--max-fragment"),
            (root + ["--max-failure-rate", "2"], "--max-failure-rate"),
            (root + ["--source-ip", "127.0.0.9-127.0.0.2"], "--source-ip"),
            (root + ["--metrics", "nowhere"], "--metrics"),
        ]
        for (arguments, flag) in usageErrors {
            let result = try await FleetsimBinary.run(arguments, in: d)
            #expect(result.status == 2, "\(arguments.suffix(4)): \(result.output)")
            #expect(result.inputErrorCode == nil, "\(arguments.suffix(4)): \(result.stderr)")
            #expect(result.stderr.contains(flag), "\(arguments.suffix(4)): \(result.stderr)")
        }
    }

    @Test func badServeInputsExitTwoNamingTheFile() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let d = fixture.directory
        let layout = fixture.layout
        let garbage = try d.write(
            "garbage.pem",
            "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"
        )
        let encrypted = d.path("encrypted.key")
        let made = try await ForeignProcess.run(
            "openssl",
            ["pkey", "-in", layout.serverKey, "-aes256", "-passout", "pass:secret", "-out", encrypted],
            in: d
        )
        #expect(made.status == 0, "\(made.output)")
        let base = ["serve", "--listen", "127.0.0.1:0", "--ca", layout.caChain]
        // The code says what is wrong; the message names the file it is about (the key file for a key).
        let emptyCA = try d.write("empty.pem", "")
        let certificateAsKey = try d.write(
            "cert-as-key.pem",
            try String(contentsOfFile: layout.serverCertificate, encoding: .utf8)
        )
        let cases: [(arguments: [String], code: String, names: String?)] = [
            (base + ["--cert", garbage, "--key", layout.serverKey], "tls:certificate-unloadable", "garbage.pem"),
            (base + ["--cert", layout.serverCertificate, "--key", encrypted], "tls:key-encrypted", encrypted),
            (
                base + ["--cert", layout.serverCertificate, "--key", certificateAsKey], "tls:key-unloadable",
                "cert-as-key.pem"
            ),
            (
                [
                    "serve", "--listen", "127.0.0.1:0", "--ca", emptyCA, "--cert", layout.serverCertificate, "--key",
                    layout.serverKey,
                ], "pki:not-pem", "empty.pem"
            ),
        ]
        for (arguments, code, names) in cases {
            let result = try await FleetsimBinary.run(arguments, in: d, timeout: .seconds(20))
            #expect(result.status == 2, "\(arguments): \(result.output)")
            #expect(result.inputErrorCode == code, "\(arguments): \(result.stderr)")
            if let names { #expect(result.stderr.contains(names), "\(arguments): \(result.stderr)") }
        }
    }

    @Test func badDevicesEndIdentityInvalidAndTheOthersRun() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let d = fixture.directory
        let layout = fixture.layout
        let folder = d.path("identities")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let good = fixture.devices[.none]!
        let chain = try fixture.text(layout.deviceCertificate(good))
        let key = try fixture.text(layout.deviceKey(good))
        // Two good devices, then one of each kind of broken identity.
        for id in ["good-1", "good-2"] {
            let other =
                id == "good-1" ? good : fixture.pki.manifest.devices.first { $0.defect == .none && $0.id != good }!.id
            try FileManager.default.copyItem(atPath: layout.deviceCertificate(other), toPath: "\(folder)/\(id).pem")
            try FileManager.default.copyItem(atPath: layout.deviceKey(other), toPath: "\(folder)/\(id).key")
        }
        _ = try d.write("identities/garbage.pem", "nothing here\n")
        _ = try d.write("identities/garbage.key", key)
        _ = try d.write("identities/cert-as-key.pem", chain)
        _ = try d.write("identities/cert-as-key.key", chain)
        _ = try d.write("identities/key-as-cert.pem", key)
        _ = try d.write("identities/key-as-cert.key", key)
        _ = try d.write("identities/lonely.pem", chain)  // no key: skipped with a warning
        let made = try await ForeignProcess.run(
            "openssl",
            [
                "pkey", "-in", layout.deviceKey(good), "-aes256", "-passout", "pass:secret", "-out",
                "\(folder)/encrypted.key",
            ],
            in: d
        )
        #expect(made.status == 0)
        _ = try d.write("identities/encrypted.pem", chain)

        let server = try await FleetsimServer(["--dir", layout.directory, "--protocol", "tls"], in: d)
        defer { server.stop() }
        let json = d.path("report.json")
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--identities", folder, "--ca", layout.rootCertificate,
                "--server-name", "localhost", "--json", json, "--quiet",
            ],
            in: d
        )
        #expect(run.status == 0, "\(run.output)")
        #expect(run.stderr.contains("lonely.pem"), "the unpaired file is named: \(run.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        #expect((report["counts"] as? [String: Int])?["succeeded"] == 2)
        #expect(report["failures"] as? [String: Int] == ["identity-invalid": 4], "lonely.pem is skipped, not run")
        let devices = Dictionary(
            uniqueKeysWithValues: ((report["devices"] as? [[String: Any]]) ?? []).map { ($0["id"] as! String, $0) }
        )
        for id in ["garbage", "cert-as-key", "key-as-cert", "encrypted"] {
            let device = try #require(devices[id], "\(id) missing from the report")
            #expect(device["outcome"] as? String == "identity-invalid", "\(id)")
            let detail = device["detail"] as? String ?? ""
            #expect(detail.contains(id), "\(id): the detail names the device: \(detail)")
        }
    }
}
