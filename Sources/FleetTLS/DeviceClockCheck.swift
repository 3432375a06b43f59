import Foundation

/// The device side's own check of the server's chain: a device without a real-time clock judges
/// certificate dates by *its* clock, not real time. Handed to the TLS layer per connection as a
/// value (the backend's counterpart is ``PeerCertificateCheck``), and pure, so its sentences and
/// verdicts are unit-tested without wolfSSL.
///
/// Only dates are re-judged: a certificate wolfSSL refused for any other reason stays refused.
public struct DeviceClockCheck: Sendable, Equatable {
    /// What the device's clock reads for this connection.
    public let clock: Date

    public init(clock: Date) {
        self.clock = clock
    }

    public enum Verdict: Sendable, Equatable {
        /// The device's clock agrees with wolfSSL's verdict.
        case agree
        /// The device refuses a certificate wolfSSL accepted (or refused for its dates).
        case refuse(reason: String, verdict: String)
        /// Real time says expired or not yet valid; the device's clock says valid, and the device only has its clock.
        case accept(note: String, verdict: String)
    }

    /// Judges one certificate of the server's chain.
    ///
    /// - Parameters:
    ///   - dateErrorByRealTime: wolfSSL refused the certificate for its dates (and nothing else).
    func judge(subject: String, notBefore: Date, notAfter: Date, dateErrorByRealTime: Bool) -> Verdict {
        let stamp = Self.timestamp(self.clock)
        if self.clock < notBefore {
            return .refuse(
                reason:
                    "the server certificate \(subject) is not yet valid by the device's clock (\(stamp)); valid from \(Self.timestamp(notBefore))",
                verdict: "refused: not yet valid by the device's clock (\(stamp))"
            )
        }
        if self.clock > notAfter {
            return .refuse(
                reason:
                    "the server certificate \(subject) has expired by the device's clock (\(stamp)); valid until \(Self.timestamp(notAfter))",
                verdict: "refused: expired by the device's clock (\(stamp))"
            )
        }
        if dateErrorByRealTime {
            return .accept(
                note:
                    "the server certificate \(subject) is outside its validity by real time but valid by the device's clock (\(stamp))",
                verdict: "ok by the device's clock (\(stamp))"
            )
        }
        return .agree
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
