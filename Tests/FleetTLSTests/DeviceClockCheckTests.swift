import Foundation
import Testing

@testable import FleetTLS

/// The device's clock judges the server's certificate dates, without wolfSSL.
@Suite struct DeviceClockCheckTests {
    let notBefore = Date(timeIntervalSince1970: 1_700_000_000)
    let notAfter = Date(timeIntervalSince1970: 1_800_000_000)

    func verdict(clock: Date, dateError: Bool = false) -> DeviceClockCheck.Verdict {
        DeviceClockCheck(clock: clock).judge(
            subject: "CN=broker",
            notBefore: self.notBefore,
            notAfter: self.notAfter,
            dateErrorByRealTime: dateError
        )
    }

    @Test func aClockBeforeTheCertificateRefusesIt() {
        guard case .refuse = self.verdict(clock: self.notBefore.addingTimeInterval(-1)) else {
            Issue.record("a certificate not yet valid by the device's clock was not refused")
            return
        }
    }

    @Test func aClockAfterTheCertificateRefusesIt() {
        guard case .refuse = self.verdict(clock: self.notAfter.addingTimeInterval(1), dateError: false) else {
            Issue.record("a certificate expired by the device's clock was not refused")
            return
        }
    }

    @Test func aClockInsideTheValidityOverridesOnlyADateError() {
        let inside = self.notBefore.addingTimeInterval(86_400)
        #expect(self.verdict(clock: inside) == .agree)
        guard case .accept = self.verdict(clock: inside, dateError: true) else {
            Issue.record("a date error by real time was not overridden by the device's clock")
            return
        }
    }
}
