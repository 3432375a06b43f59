import FleetCore
import Testing

@testable import FleetTLS

/// The OCSP codes a device sees (README, "OCSP stapling": measured against `openssl s_server
/// -status_file` in TLS 1.2 and 1.3) classify as the device refusing the server, with the staple's
/// part named for the report.
@Suite struct OCSPClassificationTests {
    @Test(arguments: [
        // TLS 1.2 sends bad_certificate_status_response (113) with -360 and -406; TLS 1.3 sends nothing.
        (WolfSSLCode.ocspRevoked, 113, OCSPStapleStatus.revoked),
        (WolfSSLCode.ocspRevoked, -1, .revoked),
        (WolfSSLCode.badCertificateStatus, 113, .invalid),
        (WolfSSLCode.badCertificateStatus, -1, .invalid),
        (WolfSSLCode.ocspUnknown, -1, .missing),
        (WolfSSLCode.ocspLookupFail, -1, .missing),
    ])
    func ocspCodesAreServerUntrusted(code: Int32, sent: Int, staple: OCSPStapleStatus) {
        let snapshot = TLSErrorSnapshot(
            role: .client,
            phase: .handshake,
            nativeCode: code,
            received: nil,
            sent: sent > 0 ? (code: sent, level: 2) : nil,
            verifyResult: 0,
            expectedServerName: "localhost"
        )
        let failure = TLSFailure.classify(snapshot, nativeText: nil)
        #expect(failure.outcome == .serverUntrusted)
        #expect(failure.nativeCode == code)
        #expect(OCSPStapleStatus(failure: failure) == staple)
    }

    @Test func otherFailuresSayNothingAboutTheStaple() {
        #expect(OCSPStapleStatus(failure: TLSFailure(.serverUntrusted, detail: "", nativeCode: -188)) == nil)
        #expect(OCSPStapleStatus(failure: TLSFailure(.tcpRefused, detail: "")) == nil)
    }

    @Test func theHeaderCodesAreTheMeasuredOnes() {
        #expect(WolfSSLCode.ocspRevoked == -360)
        #expect(WolfSSLCode.ocspUnknown == -366)
        #expect(WolfSSLCode.ocspLookupFail == -367)
        #expect(WolfSSLCode.badCertificateStatus == -406)
        #expect(WolfSSLCode.ocspInvalidStatus == -407)
    }
}
