import FleetTestSupport
import Foundation
import Testing

/// The most common real setup: the backend's server certificate comes from one CA and the devices
/// from another (root → issuing CA → device, depth 3), all made with the `openssl` CLI, against a
/// real `s_server`. Refused devices are diagnosed against the device trust (`--device-ca`), and
/// only verdicts about the certificate get a certificate diagnosis.
@Suite(.serialized) struct TwoTrustsTests {
    struct Setup {
        let directory: TemporaryDirectory
        let serverRoot: OpenSSLCA
        let deviceRoot: OpenSSLCA
        let identities: String
        let server: OpenSSLServer
    }

    static func make() async throws -> Setup {
        let directory = try TemporaryDirectory(prefix: "fleetsim-two-trusts")
        let serverRoot = try await OpenSSLCA.make("server-root", in: directory)
        let (serverCertificate, serverKey) = try await serverRoot.issue("broker", extensions: "server")
        let deviceRoot = try await OpenSSLCA.make("device-root", in: directory)
        let issuing = try await deviceRoot.issueIntermediate("device-issuing")
        let identities = directory.path("identities")
        try FileManager.default.createDirectory(atPath: identities, withIntermediateDirectories: true)
        let intermediate = try String(contentsOfFile: issuing.certificate, encoding: .utf8)
        for (id, start, end) in [("tcu-good", nil, nil), ("tcu-expired", "20200101000000Z", "20200201000000Z")]
            as [(String, String?, String?)]
        {
            let (certificate, key) = try await issuing.issue(id, start: start, end: end)
            try (try String(contentsOfFile: certificate, encoding: .utf8) + intermediate)
                .write(toFile: "\(identities)/\(id).pem", atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(atPath: key, toPath: "\(identities)/\(id).key")
        }
        let server = try await OpenSSLServer(
            certificate: serverCertificate,
            chain: serverRoot.certificate,
            key: serverKey,
            clientCA: deviceRoot.certificate,
            version: "1.3",
            in: directory
        )
        return Setup(
            directory: directory,
            serverRoot: serverRoot,
            deviceRoot: deviceRoot,
            identities: identities,
            server: server
        )
    }

    /// Runs the fleet; returns each device's (outcome, diagnosis codes).
    static func run(_ setup: Setup, port: Int, extra: [String]) async throws -> [String: (String, [String])] {
        let json = setup.directory.path("report-\(UUID().uuidString.prefix(6)).json")
        let result = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(port)", "--identities", setup.identities, "--ca",
                setup.serverRoot.certificate,
                "--server-name", "localhost", "--protocol", "tls", "--json", json, "--per-device", "--quiet",
            ] + extra,
            in: setup.directory
        )
        #expect([0, 1].contains(result.status), "\(result.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        let devices = try #require(report["devices"] as? [[String: Any]])
        return Dictionary(
            uniqueKeysWithValues: devices.map { device in
                (
                    device["id"] as? String ?? "",
                    (device["outcome"] as? String ?? "", device["diagnosis"] as? [String] ?? [])
                )
            }
        )
    }

    @Test func refusedDevicesAreDiagnosedAgainstTheDeviceTrust() async throws {
        let setup = try await Self.make()
        defer {
            setup.server.stop()
            setup.directory.remove()
        }
        let devices = try await Self.run(
            setup,
            port: setup.server.port,
            extra: ["--device-ca", setup.deviceRoot.certificate]
        )
        #expect(devices["tcu-good"]?.0 == "ok", "\(devices) — \(setup.server.process.output)")
        #expect(devices["tcu-expired"]?.0 == "rejected:certificate-expired")
        #expect(devices["tcu-expired"]?.1 == ["expired"], "diagnosed against the device CA: expired, and nothing else")

        // Against the server's CA (the old single trust) the same device is misdiagnosed: the flag is what fixes it.
        let misdiagnosed = try await Self.run(setup, port: setup.server.port, extra: [])
        #expect(misdiagnosed["tcu-expired"]?.1.contains("untrusted-issuer") == true)
        #expect(misdiagnosed["tcu-expired"]?.1.first == "expired", "the finding that matches the alert leads")
    }

    @Test func networkFailuresGetNoCertificateDiagnosis() async throws {
        let setup = try await Self.make()
        defer {
            setup.server.stop()
            setup.directory.remove()
        }
        let devices = try await Self.run(setup, port: FreePort.find(), extra: [])
        #expect(devices["tcu-good"]?.0 == "tcp-refused")
        #expect(devices["tcu-good"]?.1 == [])
        #expect(devices["tcu-expired"]?.0 == "tcp-refused")
        #expect(devices["tcu-expired"]?.1 == [], "a refused TCP connection says nothing about the certificate")
    }
}
