import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// Hardening: servers that are not TLS, send garbage, stall, cut the handshake or corrupt a
/// session. Every device ends with the outcome DESIGN.md §5 gives, within its timeouts, and the run
/// ends with a complete report.
@Suite(.serialized) struct HostileServerTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var behaviour: @Sendable (Int) -> HostileServer.Behaviour
        var tls: String
        var expected: String
        var arguments: [String] = []
        var description: String { "\(self.name) TLS \(self.tls) \(self.arguments.joined(separator: " "))" }
    }

    static let cases: [Case] = [
        Case(
            name: "plain HTTP",
            behaviour: { _ in .plainText("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n") },
            tls: "1.3",
            expected: "protocol-error"
        ),
        Case(name: "random bytes", behaviour: { _ in .randomBytes(4096) }, tls: "1.3", expected: "protocol-error"),
        Case(name: "silent", behaviour: { _ in .silent }, tls: "1.3", expected: "handshake-timeout"),
        Case(
            name: "stall after the first flight",
            behaviour: { .stallAfterFirstFlight(upstream: $0) },
            tls: "1.2",
            expected: "handshake-timeout"
        ),
        // TLS 1.3: the device's handshake is done and the server says nothing. Only a server's record
        // proves acceptance (first-record); by default, silence for the quiet period counts as
        // acceptance (servers without tickets), counted apart in the report.
        Case(
            name: "stall after the first flight",
            behaviour: { .stallAfterFirstFlight(upstream: $0) },
            tls: "1.3",
            expected: "accept-timeout",
            arguments: ["--tls-accept", "first-record"]
        ),
        Case(
            name: "close after the first flight",
            behaviour: { .closeAfterFirstFlight(upstream: $0) },
            tls: "1.2",
            expected: "closed-by-server"
        ),
        Case(
            name: "close after the first flight",
            behaviour: { .closeAfterFirstFlight(upstream: $0) },
            tls: "1.3",
            expected: "closed-by-server"
        ),
    ]

    static func fleet(_ fixture: PKIFixture, pki: PrivatePKI? = nil, count: Int) throws -> String {
        let folder = fixture.directory.path("fleet")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let good = (pki ?? fixture.pki).manifest.devices.filter { $0.defect == .none }.prefix(count)
        for device in good {
            try FileManager.default.copyItem(
                atPath: fixture.layout.deviceCertificate(device.id),
                toPath: "\(folder)/\(device.id).pem"
            )
            try FileManager.default.copyItem(
                atPath: fixture.layout.deviceKey(device.id),
                toPath: "\(folder)/\(device.id).key"
            )
        }
        return folder
    }

    @Test func everyDeviceEndsWithTheRightOutcomeInTime() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        var pki = fixture.pki
        _ = try await pki.issueDevices(count: 3, prefix: "more-", defect: .none, algorithm: .ecdsaP256)
        let fleet = try Self.fleet(fixture, pki: pki, count: 5)
        let profile = try fixture.directory.write(
            "short.yaml",
            "timeouts: {connect: 2s, handshake: 1500ms, accept: 1500ms}\n"
        )
        let upstream = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--protocol", "tls"],
            in: fixture.directory
        )
        defer { upstream.stop() }
        for (index, test) in Self.cases.enumerated() {
            let hostile = try HostileServer(test.behaviour(upstream.port))
            defer { hostile.stop() }
            let json = fixture.directory.path("hostile-\(index).json")
            let run = try await FleetsimBinary.run(
                [
                    "run", "--target", "127.0.0.1:\(hostile.port)", "--identities", fleet, "--ca",
                    fixture.layout.rootCertificate,
                    "--server-name", "localhost", "--tls", test.tls, "--profile", profile, "--json", json,
                    "--per-device", "--quiet",
                ]
                    + test.arguments,
                in: fixture.directory,
                timeout: .seconds(30)  // bounded: the devices end by their timeouts, not by the server
            )
            #expect(run.status == 0, "\(test): \(run.output)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
            )
            let counts = try #require(report["counts"] as? [String: Int])
            #expect(counts["devices"] == 5 && counts["attempted"] == 5, "\(test)")
            #expect(counts["failed"] == 5, "\(test): \(counts)")
            let outcomes = ((report["devices"] as? [[String: Any]]) ?? []).compactMap { $0["outcome"] as? String }
            #expect(outcomes.count == 5, "\(test)")
            #expect(outcomes.allSatisfy { $0 == test.expected }, "\(test): \(outcomes)")
        }
    }

    /// Garbage injected into an established session: the device had been accepted (`ok`), the
    /// connection is lost, and the report says so.
    @Test func garbageMidSessionLosesTheConnectionNotTheVerdict() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let fleet = try Self.fleet(fixture, count: 2)
        let upstream = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--protocol", "tls"],
            in: fixture.directory
        )
        defer { upstream.stop() }
        let hostile = try HostileServer(.corruptAfter(seconds: 1, upstream: upstream.port))
        defer { hostile.stop() }
        let json = fixture.directory.path("corrupt.json")
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(hostile.port)", "--identities", fleet, "--ca",
                fixture.layout.rootCertificate,
                "--server-name", "localhost", "--hold", "4s", "--json", json, "--quiet",
            ],
            in: fixture.directory,
            timeout: .seconds(30)
        )
        #expect(run.status == 0, "\(run.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        #expect((report["counts"] as? [String: Int])?["succeeded"] == 2)
        #expect((report["connections"] as? [String: Any])?["lost"] as? Int == 2, "\(report["connections"] ?? "")")
    }
}
