import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// Private keys are written 0600 and never appear in anything fleetsim prints or writes: the
/// console, reports (JSON, JUnit, HTML), `repro`, `inspect` and the backend's audit log — checked
/// on a run where every kind of device fails, including a key that does not match its certificate.
@Suite(.serialized) struct SecretsTests {
    @Test func keyMaterialNeverReachesLogsOrReports() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let d = fixture.directory
        let layout = fixture.layout

        // Every key file: 0600, and the lines of its base64 body to search for.
        var secrets: [String] = []
        let keyFiles =
            try FileManager.default.contentsOfDirectory(atPath: layout.devices).filter { $0.hasSuffix(".key") }
            .map { "\(layout.devices)/\($0)" } + [layout.rootKey, layout.intermediateKey, layout.serverKey]
        #expect(keyFiles.count == 16)
        for path in keyFiles {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode == 0o600, "\(path) is \(String(mode, radix: 8))")
            secrets += Self.pieces(ofPEM: try String(contentsOfFile: path, encoding: .utf8))
        }
        #expect(secrets.count > 100)

        let audit = d.path("audit.jsonl")
        let server = try await FleetsimServer(
            ["--dir", layout.directory, "--protocol", "mqtt", "--audit", audit],
            in: d
        )
        let outputs = ["report.json", "report.xml", "report.html"].map(d.path)
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", layout.directory, "--server-name", "localhost",
                "--protocol", "mqtt",
                "--per-device", "--json", outputs[0], "--junit", outputs[1], "--html", outputs[2],
            ],
            in: d
        )
        #expect(run.status == 0, "\(run.output)")
        var texts = [run.stdout, run.stderr]
        for defect in [DeviceDefect.keyMismatch, .expired, .weakRSA] {
            let repro = try await FleetsimBinary.run(
                [
                    "repro", fixture.devices[defect]!, "--target", "127.0.0.1:\(server.port)", "--dir",
                    layout.directory,
                    "--server-name", "localhost", "--protocol", "mqtt", "--json",
                ],
                in: d
            )
            #expect(repro.status == 1)
            texts += [repro.stdout, repro.stderr]
            let inspect = try await FleetsimBinary.run(
                [
                    "inspect", fixture.certificatePath(defect), "--key", fixture.keyPath(defect), "--ca",
                    layout.rootCertificate, "--json",
                ],
                in: d
            )
            texts += [inspect.stdout, inspect.stderr]
        }
        server.stop()
        _ = try await server.process.waitForExit(timeout: .seconds(10))
        texts += [server.process.output]
        for path in outputs + [audit] { texts.append(try String(contentsOfFile: path, encoding: .utf8)) }

        let everything = texts.joined(separator: "\n")
        #expect(everything.count > 10_000)
        #expect(!everything.contains("PRIVATE KEY"))
        let leaked = secrets.filter { everything.contains($0) }
        #expect(leaked.isEmpty, "key material found in fleetsim's output: \(leaked.prefix(3))")
    }

    /// Any 24 consecutive base64 characters of a key would be a leak: each line's pieces, to search for.
    static func pieces(ofPEM text: String) -> [String] {
        text.split(separator: "\n").filter { !$0.hasPrefix("-----") && $0.count >= 24 }.flatMap { line in
            stride(from: 0, to: line.count - 23, by: 24).map { offset in
                let start = line.index(line.startIndex, offsetBy: offset)
                return String(line[start..<line.index(start, offsetBy: 24)])
            }
        }
    }

    /// The passphrase of encrypted keys (`--key-passphrase-env`), right or wrong, and the keys it
    /// decrypts never appear in the console, the JSON, JUnit or HTML report, or `repro`.
    @Test func passphraseNeverReachesLogsOrReports() async throws {
        let inputs = try await IdentityInputs.make()
        defer { inputs.directory.remove() }
        let d = inputs.directory
        let variable = IdentityInputs.variable
        let wrong = "wrong-\(inputs.passphrase)"
        let server = try await inputs.openSSLServer()
        defer { server.stop() }
        // The decrypted keys, as openssl decrypts them: not one piece of them may be printed.
        var secrets: [String] = []
        for id in inputs.encrypted.sorted() {
            let plain = try await ForeignProcess.run(
                "openssl",
                ["pkey", "-in", "\(inputs.identities)/\(id).key", "-passin", "env:\(variable)"],
                in: d,
                environment: [variable: inputs.passphrase]
            )
            #expect(plain.status == 0, "\(plain.output)")
            secrets += Self.pieces(ofPEM: plain.stdout)
        }
        #expect(secrets.count > 20)

        var texts: [String] = []
        for (passphrase, tag) in [(inputs.passphrase, "right"), (wrong, "wrong")] {
            let outputs = ["json", "xml", "html"].map { d.path("report-\(tag).\($0)") }
            let (run, _) = try await inputs.run(
                port: server.port,
                ["--protocol", "tls", "--key-passphrase-env", variable, "--junit", outputs[1], "--html", outputs[2]],
                environment: [variable: passphrase],
                outputs: outputs
            )
            texts += [run.stdout, run.stderr] + (try outputs.map { try String(contentsOfFile: $0, encoding: .utf8) })
            for id in ["enc-pkcs8", IdentityInputs.mismatched] {
                let repro = try await FleetsimBinary.run(
                    [
                        "repro", id, "--target", "127.0.0.1:\(server.port)", "--identities", inputs.identities, "--ca",
                        inputs.ca.certificate,
                        "--server-name", "localhost", "--protocol", "tls", "--key-passphrase-env", variable,
                    ] + (tag == "right" ? ["--json"] : []),
                    in: d,
                    environment: [variable: passphrase]
                )
                texts += [repro.stdout, repro.stderr]
            }
        }
        let everything = texts.joined(separator: "\n")
        #expect(everything.contains("wrong passphrase") && everything.contains("\"ok\""), "both runs happened")
        #expect(!everything.contains(inputs.passphrase), "the passphrase was printed")
        #expect(!everything.contains("PRIVATE KEY"))
        let leaked = secrets.filter { everything.contains($0) }
        #expect(leaked.isEmpty, "decrypted key material found in fleetsim's output: \(leaked.prefix(3))")
    }
}
