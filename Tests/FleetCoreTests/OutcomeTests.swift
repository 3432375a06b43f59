import FleetCore
import Testing

@Suite struct OutcomeTests {
    @Test func identifiersRoundTrip() throws {
        let all: [Outcome] = [
            .ok, .tcpRefused, .tcpTimeout, .tcpReset, .dnsFailure, .localResource, .identityInvalid,
            .serverUntrusted, .rejected(.certificateExpired), .rejected(TLSAlert(code: 200)), .closedByServer,
            .handshakeTimeout, .acceptTimeout, .mqttRefused(.notAuthorized), .protocolError,
        ]
        for outcome in all {
            #expect(Outcome(identifier: outcome.identifier) == outcome)
        }
    }

    @Test func rejectedUsesRFCNamesWithDashes() {
        #expect(Outcome.rejected(.certificateExpired).identifier == "rejected:certificate-expired")
        #expect(Outcome.rejected(.unsupportedCertificate).identifier == "rejected:unsupported-certificate")
        #expect(Outcome.rejected(.unknownCA).identifier == "rejected:unknown-ca")
        #expect(Outcome.rejected(.certificateRequired).identifier == "rejected:certificate-required")
        #expect(Outcome.rejected(TLSAlert(code: 201)).identifier == "rejected:alert-201")
        #expect(Outcome.mqttRefused(.identifierRejected).identifier == "mqtt-refused:identifier-rejected")
    }

    @Test func unknownIdentifiersAreRefused() {
        #expect(Outcome(identifier: "rejected:no-such-alert") == nil)
        #expect(Outcome(identifier: "fine") == nil)
        #expect(Outcome(identifier: "mqtt-refused:maybe") == nil)
    }

    @Test func alertDescriptionQuotesTheRFC() {
        #expect(TLSAlert.certificateRequired.description == "certificate_required (116)")
        #expect(TLSAlert(name: "unknown-ca") == .unknownCA)
        #expect(TLSAlert(name: "alert-7")?.code == 7)
    }
}

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("500ms", 0.5), ("30s", 30.0), ("5m", 300.0), ("1h", 3600.0), ("1.5s", 1.5), (" 2s ", 2.0), ("2d", 172_800.0),
    ])
    func parses(text: String, seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test func signedOffsets() {
        #expect(DurationText.signedSeconds("-90d") == -7_776_000)
        #expect(DurationText.signedSeconds("+10m") == 600)
        #expect(DurationText.signedSeconds("30s") == 30)
        #expect(DurationText.signedSeconds("--1s") == nil)
    }

    @Test(arguments: ["", "5", "s", "-1s", "fast", "1w", "nans"])
    func refusesNonsense(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test func formatsBack() {
        #expect(DurationText.format(0.25) == "250ms")
        #expect(DurationText.format(90) == "90s")
        #expect(DurationText.format(120) == "2m")
    }
}
