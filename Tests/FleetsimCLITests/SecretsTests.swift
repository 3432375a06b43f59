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
        let keyFiles = try FileManager.default.contentsOfDirectory(atPath: layout.devices).filter { $0.hasSuffix(".key") }
            .map { "\(layout.devices)/\($0)" } + [layout.rootKey, layout.intermediateKey, layout.serverKey]
        #expect(keyFiles.count == 16)
        for path in keyFiles {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode == 0o600, "\(path) is \(String(mode, radix: 8))")
            let body = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("-----") }
            // Any 24 consecutive base64 characters of a key would be a leak; search each line's pieces.
            for line in body where line.count >= 24 {
                stride(from: 0, to: line.count - 23, by: 24).forEach { offset in
                    let start = line.index(line.startIndex, offsetBy: offset)
                    secrets.append(String(line[start..<line.index(start, offsetBy: 24)]))
                }
            }
        }
        #expect(secrets.count > 100)

        let audit = d.path("audit.jsonl")
        let server = try await FleetsimServer(["--dir", layout.directory, "--protocol", "mqtt", "--audit", audit], in: d)
        let outputs = ["report.json", "report.xml", "report.html"].map(d.path)
        let run = try await FleetsimBinary.run(
            ["run", "--target", "127.0.0.1:\(server.port)", "--dir", layout.directory, "--server-name", "localhost", "--protocol", "mqtt",
             "--per-device", "--json", outputs[0], "--junit", outputs[1], "--html", outputs[2]],
            in: d
        )
        #expect(run.status == 0, "\(run.output)")
        var texts = [run.stdout, run.stderr]
        for defect in [DeviceDefect.keyMismatch, .expired, .weakRSA] {
            let repro = try await FleetsimBinary.run(
                ["repro", fixture.devices[defect]!, "--target", "127.0.0.1:\(server.port)", "--dir", layout.directory,
                 "--server-name", "localhost", "--protocol", "mqtt", "--json"],
                in: d
            )
            #expect(repro.status == 1)
            texts += [repro.stdout, repro.stderr]
            let inspect = try await FleetsimBinary.run(
                ["inspect", fixture.certificatePath(defect), "--key", fixture.keyPath(defect), "--ca", layout.rootCertificate, "--json"], in: d)
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
}
