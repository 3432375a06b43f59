import FleetTestSupport
import Foundation
import Testing

/// Inputs real users have (``IdentityInputs``: openssl-made DER and PEM, `.crt`/`.der` names,
/// encrypted keys, SAN-URI-only devices) through `fleetsim run` against `openssl s_server -Verify 2
/// -verify_return_error` and against `fleetsim serve --audit`.
@Suite(.serialized) struct IdentityInputsTests {
    /// Every format loads and connects; with the passphrase every encrypted key too, and the
    /// key-pair check still catches an encrypted key that is not the certificate's.
    @Test func everyFormatConnectsToOpenSSL() async throws {
        let inputs = try await IdentityInputs.make()
        defer { inputs.directory.remove() }
        let server = try await inputs.openSSLServer()
        defer { server.stop() }
        let (run, devices) = try await inputs.run(
            port: server.port,
            ["--protocol", "tls", "--key-passphrase-env", IdentityInputs.variable],
            environment: [IdentityInputs.variable: inputs.passphrase]
        )
        #expect(devices.count == IdentityInputs.recipes.count, "every file pair is a device: \(devices.keys.sorted())")
        #expect(!run.stderr.contains("without their partner"), "\(run.stderr)")
        for id in inputs.made.keys.sorted() where id != IdentityInputs.mismatched {
            #expect(
                devices[id]?["outcome"] as? String == "ok",
                "\(id) (\(inputs.made[id]!)): \(devices[id] ?? [:]) — \(server.process.output)"
            )
        }
        let mismatched = try #require(devices[IdentityInputs.mismatched])
        #expect(mismatched["outcome"] as? String == "identity-invalid")
        #expect((mismatched["detail"] as? String)?.contains("does not match the certificate") == true, "\(mismatched)")
    }

    /// Without `--key-passphrase-env` an encrypted key is refused by name and the flag is named;
    /// with a wrong passphrase it is `identity-invalid` "wrong passphrase"; the others still run.
    @Test func encryptedKeysWithoutOrWithAWrongPassphrase() async throws {
        let inputs = try await IdentityInputs.make()
        defer { inputs.directory.remove() }
        let server = try await inputs.openSSLServer()
        defer { server.stop() }
        let cases: [([String], [String: String], [String])] = [
            ([], [:], ["passphrase-protected", "--key-passphrase-env"]),
            (
                ["--key-passphrase-env", IdentityInputs.variable],
                [IdentityInputs.variable: "not-\(inputs.passphrase)"], ["wrong passphrase"]
            ),
        ]
        for (flags, environment, words) in cases {
            let (_, devices) = try await inputs.run(
                port: server.port,
                ["--protocol", "tls", "--quiet"] + flags,
                environment: environment
            )
            for id in inputs.made.keys.sorted() {
                let device = try #require(devices[id], "\(id) missing")
                guard inputs.encrypted.contains(id) else {
                    #expect(device["outcome"] as? String == "ok", "\(id): \(device)")
                    continue
                }
                #expect(device["outcome"] as? String == "identity-invalid", "\(id) \(flags): \(device)")
                let detail = device["detail"] as? String ?? ""
                #expect(detail.hasPrefix("\(id): "), "the device is named: \(detail)")
                for word in words { #expect(detail.contains(word), "\(id) \(flags): \(detail)") }
            }
        }
    }

    /// `fleetsim serve` audits every device by its id — the SAN URI for a device with no CN or
    /// serialNumber — admits it by that id on its allow list, and admits the MQTT client id that
    /// names the URI, refusing one that does not.
    @Test func serveAuditsDevicesByTheirURI() async throws {
        let inputs = try await IdentityInputs.make()
        defer { inputs.directory.remove() }
        let audit = AuditLogFile(inputs.directory.path("audit.jsonl"))
        // The allow list names devices by their ids too: the URI for those that have nothing else.
        let allowed = inputs.made.keys.map { $0 == IdentityInputs.spiffeDevice ? IdentityInputs.spiffeURI : $0 }
        let allow = try inputs.directory.write("allow.txt", allowed.sorted().joined(separator: "\n") + "\n")
        let server = try await FleetsimServer(
            [
                "--ca", inputs.ca.certificate, "--cert", inputs.serverCertificate, "--key", inputs.serverKey,
                "--protocol", "mqtt",
                "--audit", audit.path, "--allow", allow,
            ],
            in: inputs.directory
        )
        defer { server.stop() }
        let (_, devices) = try await inputs.run(
            port: server.port,
            ["--protocol", "mqtt", "--quiet", "--key-passphrase-env", IdentityInputs.variable],
            environment: [IdentityInputs.variable: inputs.passphrase]
        )
        let connected = inputs.made.keys.filter { $0 != IdentityInputs.mismatched }
        let spiffe = IdentityInputs.spiffeDevice
        for id in connected where id != spiffe {
            #expect(devices[id]?["outcome"] as? String == "ok", "\(id): \(devices[id] ?? [:])")
        }
        #expect(devices[spiffe]?["outcome"] as? String == "mqtt-refused:not-authorized", "\(devices[spiffe] ?? [:])")

        // Each connecting device is audited by its certificate's id: the serialNumber, or the URI.
        let expectedIDs = connected.map { $0 == spiffe ? IdentityInputs.spiffeURI : $0 }
        let lines = try await audit.waitForDevices(expectedIDs)
        #expect(!lines.contains { $0.deviceID == nil }, "no device audited without an id: \(lines)")
        let uri = try #require(lines.first { $0.deviceID == IdentityInputs.uriDevice })
        #expect(uri.verdict == "accepted")
        #expect(uri.mqttClientID == IdentityInputs.uriDevice)
        let refused = try #require(lines.first { $0.deviceID == IdentityInputs.spiffeURI })
        #expect(refused.verdict == "rejected")
        #expect(refused.outcome == "mqtt-refused:not-authorized")
        #expect(refused.reason?.contains("'\(IdentityInputs.spiffeURI)'") == true, "\(refused)")
    }

    /// A device with two certificate files is an input error naming both; a `.crt` or `.der` without
    /// its key is named in the warning; a variable that is not set is an input error.
    @Test func namingErrors() async throws {
        let inputs = try await IdentityInputs.make()
        defer { inputs.directory.remove() }
        let base = [
            "run", "--target", "127.0.0.1:\(FreePort.find())", "--identities", inputs.identities, "--ca",
            inputs.ca.certificate,
            "--protocol", "tls", "--quiet",
        ]

        let unset = try await FleetsimBinary.run(
            base + ["--key-passphrase-env", "FLEETSIM_TEST_NOT_SET"],
            in: inputs.directory
        )
        #expect(unset.status == 2)
        #expect(unset.inputErrorCode == "key-passphrase-unset", "\(unset.stderr)")
        #expect(unset.stderr.contains("FLEETSIM_TEST_NOT_SET"))
        let notAName = try await FleetsimBinary.run(
            base + ["--key-passphrase-env", inputs.passphrase],
            in: inputs.directory
        )
        #expect(notAName.status == 2)
        #expect(
            !notAName.output.contains(inputs.passphrase),
            "a passphrase given by mistake is not echoed: \(notAName.output)"
        )

        try FileManager.default.copyItem(
            atPath: "\(inputs.identities)/pem-pkcs8.pem",
            toPath: "\(inputs.identities)/lonely.der"
        )
        try FileManager.default.copyItem(
            atPath: "\(inputs.identities)/pem-pkcs8.pem",
            toPath: "\(inputs.identities)/solo.crt"
        )
        let unpaired = try await FleetsimBinary.run(base, in: inputs.directory)
        #expect(unpaired.status == 0, "\(unpaired.output)")
        #expect(unpaired.stderr.contains("lonely.der") && unpaired.stderr.contains("solo.crt"), "\(unpaired.stderr)")

        try FileManager.default.copyItem(
            atPath: "\(inputs.identities)/pem-pkcs8.pem",
            toPath: "\(inputs.identities)/pem-pkcs8.crt"
        )
        let twice = try await FleetsimBinary.run(base, in: inputs.directory)
        #expect(twice.status == 2)
        #expect(twice.inputErrorCode == "identities:two-certificates", "\(twice.stderr)")
        #expect(twice.stderr.contains("pem-pkcs8.pem") && twice.stderr.contains("pem-pkcs8.crt"), "\(twice.stderr)")
    }
}
