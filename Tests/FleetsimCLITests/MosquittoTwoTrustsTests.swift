import FleetTestSupport
import Foundation
import Testing

/// A real broker as real fleets run it, everything made with the `openssl` CLI: Mosquitto's server
/// certificate from one root, devices (P-384, RSA-2048, P-256) from another root through an issuing
/// CA, Mosquitto trusting only that device root with the issuing CA's CRL. fleetsim connects over
/// MQTT and explains each refusal against the device trust.
@Suite(.serialized) struct MosquittoTwoTrustsTests {
    @Test func realBrokerRealPKIRightAnswers() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-mosquitto-two-trusts")
        defer { directory.remove() }
        let serverRoot = try await OpenSSLCA.make("broker-root", in: directory)
        let (brokerCertificate, brokerKey) = try await serverRoot.issue("broker", extensions: "server")
        let deviceRoot = try await OpenSSLCA.make("fleet-root", in: directory)
        let issuing = try await deviceRoot.issueIntermediate("fleet-issuing")
        let identities = directory.path("identities")
        try FileManager.default.createDirectory(atPath: identities, withIntermediateDirectories: true)
        let chain = try String(contentsOfFile: issuing.certificate, encoding: .utf8)
        var files: [String: String] = [:]
        let devices: [(String, Int?, String, String?, String?)] = [
            ("tcu-p384", nil, "P-384", nil, nil), ("tcu-rsa", 2048, "P-256", nil, nil),
            ("tcu-revoked", nil, "P-256", nil, nil),
            ("tcu-expired", nil, "P-256", "20200101000000Z", "20200201000000Z"),
        ]
        for (id, rsa, curve, start, end) in devices {
            let (certificate, key) = try await issuing.issue(id, start: start, end: end, rsa: rsa, curve: curve)
            files[id] = certificate
            try (try String(contentsOfFile: certificate, encoding: .utf8) + chain)
                .write(toFile: "\(identities)/\(id).pem", atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(atPath: key, toPath: "\(identities)/\(id).key")
        }
        try await issuing.revoke(files["tcu-revoked"]!)
        let crl = try await issuing.crl()
        let brokerChain = try directory.write(
            "broker-chain.pem",
            try String(contentsOfFile: brokerCertificate, encoding: .utf8)
                + String(contentsOfFile: serverRoot.certificate, encoding: .utf8)
        )
        let broker = try await MosquittoBroker(
            cafile: deviceRoot.certificate,
            certfile: brokerChain,
            keyfile: brokerKey,
            crlfile: crl,
            version: nil,
            in: directory
        )
        defer { broker.stop() }

        let json = directory.path("report.json")
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(broker.port)", "--identities", identities, "--ca",
                serverRoot.certificate,
                "--device-ca", deviceRoot.certificate, "--crl", crl, "--server-name", "localhost", "--protocol", "mqtt",
                "--json", json, "--per-device", "--quiet",
            ],
            in: directory
        )
        #expect(run.status == 0, "\(run.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        let byID = Dictionary(
            uniqueKeysWithValues: ((report["devices"] as? [[String: Any]]) ?? []).map {
                ($0["id"] as? String ?? "", $0)
            }
        )
        #expect(byID["tcu-p384"]?["outcome"] as? String == "ok", "\(byID) — \(broker.process.output)")
        #expect(byID["tcu-rsa"]?["outcome"] as? String == "ok")
        #expect(byID["tcu-revoked"]?["outcome"] as? String == "rejected:certificate-revoked")
        #expect(byID["tcu-revoked"]?["diagnosis"] as? [String] == ["revoked"])
        #expect(byID["tcu-expired"]?["outcome"] as? String == "rejected:certificate-expired")
        #expect(byID["tcu-expired"]?["diagnosis"] as? [String] == ["expired"])
        let connections = try #require(report["connections"] as? [String: Any])
        #expect((connections["withoutClientCertificate"] as? Int ?? 0) == 0)
    }
}
