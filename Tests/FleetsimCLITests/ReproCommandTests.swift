import FleetCore
import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// `fleetsim repro` end to end against Mosquitto (a real broker, CRL loaded): the outcome, the
/// alert, the diagnosis and the trace of one device.
@Suite(.serialized) struct ReproCommandTests {
    static func repro(_ id: String, port: Int, fixture: PKIFixture, extra: [String]) async throws -> (
        CommandResult, [String: Any]
    ) {
        let run = try await FleetsimBinary.run(
            [
                "repro", id, "--target", "127.0.0.1:\(port)", "--dir", fixture.layout.directory, "--server-name",
                "localhost", "--json",
            ] + extra,
            in: fixture.directory
        )
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
            "\(run.output)"
        )
        return (run, json)
    }

    @Test(arguments: ["1.2", "1.3"])
    func explainsRejectedDevicesAgainstMosquitto(version: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let broker = try await MosquittoBroker(layout: fixture.layout, version: version, in: fixture.directory)
        defer { broker.stop() }
        let cases: [(DeviceDefect, String)] = [
            (.expired, "expired"), (.serverEKU, "missing-client-auth-eku"), (.revoked, "revoked"),
        ]
        for (defect, code) in cases {
            let expected = DefectOutcomes.openSSLBackend[defect]!
            let (run, json) = try await Self.repro(
                fixture.devices[defect]!,
                port: broker.port,
                fixture: fixture,
                extra: ["--protocol", "mqtt", "--tls", version]
            )
            #expect(run.status == 1, "\(defect): \(run.output)")
            #expect(json["schema"] as? String == "fleetsim.repro/1")
            #expect(json["accepted"] as? Bool == false)
            #expect(json["outcome"] as? String == expected.identifier, "\(defect)")
            if case .rejected(let alert) = expected { #expect(json["alert"] as? Int == Int(alert.code), "\(defect)") }
            #expect((json["diagnosis"] as? [String] ?? []).contains(code), "\(defect): \(json["diagnosis"] ?? "none")")
            #expect(json["tls"] as? String == version, "\(defect)")
            let explanation = try #require(json["explanation"] as? String)
            #expect(explanation.hasPrefix("the server answered "), "\(explanation)")
            let trace = (json["trace"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(trace.contains { $0.hasPrefix("ClientHello") }, "\(trace)")
            #expect(trace.contains { $0.hasPrefix("alert ") }, "\(trace)")
            #expect((json["serverChain"] as? [[String: Any]])?.isEmpty == false)
        }
        // The good device: accepted, exit 0, CONNACK in the trace.
        let (run, json) = try await Self.repro(
            fixture.devices[.none]!,
            port: broker.port,
            fixture: fixture,
            extra: ["--protocol", "mqtt", "--tls", version]
        )
        #expect(run.status == 0, "\(run.output)")
        #expect(json["outcome"] as? String == "ok")
        let trace = (json["trace"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        #expect(trace.contains { $0.contains("CONNACK") }, "\(trace)")
    }

    @Test func anUnknownDeviceIsAnInputError() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let run = try await FleetsimBinary.run(
            ["repro", "no-such-device", "--target", "127.0.0.1:9", "--dir", fixture.layout.directory],
            in: fixture.directory
        )
        #expect(run.status == 2)
        #expect(run.inputErrorCode == "unknown-device", "\(run.output)")
        #expect(run.stderr.contains("no-such-device"), "the message names the id: \(run.output)")
    }
}
