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
