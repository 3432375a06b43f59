import FleetCore
import Testing

@testable import FleetTLS

/// The classifier alone, fed with what wolfSSL reports in the cases measured against real servers
/// (WOLFSSL-NOTES.md, "What a client sees when the server rejects it").
@Suite struct FailureClassificationTests {
    func snapshot(
        _ role: TLSConfiguration.Role = .client,
        _ phase: TLSErrorSnapshot.Phase = .handshake,
        code: Int32,
        received: (Int, Int)? = nil,
        sent: (Int, Int)? = nil,
        name: String? = "localhost"
    ) -> TLSErrorSnapshot {
        TLSErrorSnapshot(
            role: role,
            phase: phase,
            nativeCode: code,
            received: received.map { (code: $0.0, level: $0.1) },
            sent: sent.map { (code: $0.0, level: $0.1) },
            verifyResult: 0,
            expectedServerName: name
        )
    }

    @Test(arguments: [
        (43, "unsupported-certificate"), (45, "certificate-expired"), (48, "unknown-ca"), (40, "handshake-failure"),
    ])
    func fatalAlertDuringTheHandshakeIsRejected(alert: Int, name: String) {
        let failure = TLSFailure.classify(self.snapshot(code: -313, received: (alert, 2)), nativeText: nil)
        #expect(failure.outcome.identifier == "rejected:\(name)")
        #expect(failure.alertReceived?.code == UInt8(alert))
    }

    @Test func tls13RejectionAfterTheHandshakeIsStillRejectedNotANetworkError() {
        let failure = TLSFailure.classify(
            self.snapshot(.client, .afterHandshake, code: -313, received: (116, 2)),
            nativeText: nil
        )
        #expect(failure.outcome == .rejected(.certificateRequired))
        #expect(failure.alertReceived == .certificateRequired)
        #expect(failure.nativeCode == WolfSSLCode.fatalAlert)
    }

    @Test func untrustedServerIsServerUntrusted() {
        let failure = TLSFailure.classify(self.snapshot(code: -188, sent: (48, 2)), nativeText: nil)
        #expect(failure.outcome == .serverUntrusted)
        #expect(failure.alertSent == .unknownCA)
        #expect(failure.alertReceived == nil)
    }

    @Test(arguments: [WolfSSLCode.asnAfterDate, WolfSSLCode.asnBeforeDate, WolfSSLCode.asnSignatureConfirm])
    func serverCertificateProblemsKeepWolfSSLsCode(code: Int32) {
        let failure = TLSFailure.classify(self.snapshot(code: code, sent: (42, 2)), nativeText: nil)
        #expect(failure.outcome == .serverUntrusted)
        #expect(failure.nativeCode == code)
        #expect(failure.alertSent == .badCertificate)
    }

    @Test(arguments: [Int32(-322), -325])
    func nameMismatchNamesTheExpectedName(code: Int32) {
        let failure = TLSFailure.classify(self.snapshot(code: code, name: "broker.example"), nativeText: nil)
        #expect(failure.outcome == .serverUntrusted)
        #expect(failure.detail.contains("'broker.example'"))
    }

    @Test func closeWithoutAlertIsClosedByServer() {
        #expect(TLSFailure.classify(self.snapshot(code: -397), nativeText: nil).outcome == .closedByServer)
        #expect(
            TLSFailure.classify(self.snapshot(.client, .afterHandshake, code: -308), nativeText: nil).outcome
                == .closedByServer
        )
    }

    @Test func closeNotifyIsNotARejection() {
        let failure = TLSFailure.classify(self.snapshot(code: -397, received: (0, 1)), nativeText: nil)
        #expect(failure.outcome == .closedByServer)
    }

    @Test(arguments: [Int32(-326), -311, -328, -306])
    func bytesThatAreNotTLSAreAProtocolError(code: Int32) {
        #expect(TLSFailure.classify(self.snapshot(code: code), nativeText: nil).outcome == .protocolError)
    }

    @Test func backendRejectingADeviceReportsTheAlertItSent() {
        let failure = TLSFailure.classify(self.snapshot(.server, code: -151, sent: (45, 2)), nativeText: nil)
        #expect(failure.outcome == .rejected(.certificateExpired))
        #expect(failure.alertSent == .certificateExpired)
        #expect(failure.nativeCode == WolfSSLCode.asnAfterDate)
    }

    @Test func backendRefusedByADeviceIsServerUntrusted() {
        let failure = TLSFailure.classify(self.snapshot(.server, code: -313, received: (48, 2)), nativeText: nil)
        #expect(failure.outcome == .serverUntrusted)
    }

    /// ALPN with no name in common (measured: wolfSSL's server fails with -405 and sends 120): the
    /// device sees `rejected:no-application-protocol` from the alert, the backend from its own code.
    @Test func noApplicationProtocolInCommon() {
        let device = TLSFailure.classify(self.snapshot(code: -313, received: (120, 2)), nativeText: nil)
        #expect(device.outcome.identifier == "rejected:no-application-protocol")
        let backend = TLSFailure.classify(self.snapshot(.server, code: -405, sent: (120, 2)), nativeText: nil)
        #expect(backend.outcome == .rejected(.noApplicationProtocol))
        #expect(backend.alertSent == .noApplicationProtocol)
        // A server that selects a protocol the device never offered: the device refuses it.
        let refused = TLSFailure.classify(self.snapshot(code: -405, sent: (120, 2)), nativeText: nil)
        #expect(refused.outcome == .protocolError)
    }
}
