import FleetCore
import FleetPKI

/// What an OpenSSL-based backend (openssl s_server, Mosquitto 2.0; Debian's OpenSSL 3.0 at its
/// default security level 2, CRL loaded) answers each defect kind, as fleetsim reports it.
/// Measured by `DefectHandshakeTests`; DESIGN.md §2 lists the same verdicts.
public enum DefectOutcomes {
    public static let openSSLBackend: [DeviceDefect: Outcome] = [
        .none: .ok,
        .expired: .rejected(.certificateExpired),
        .notYetValid: .rejected(.badCertificate),
        .serverEKU: .rejected(.unsupportedCertificate),
        .noEKU: .ok,  // OpenSSL accepts a certificate without EKU for any purpose
        .wrongCA: .rejected(.unknownCA),
        .selfSigned: .rejected(.unknownCA),
        .noChain: .rejected(.unknownCA),
        .revoked: .rejected(.certificateRevoked),
        .keyMismatch: .identityInvalid,
        .weakRSA: .rejected(.badCertificate),  // security level 2: EE key too small
        .sha1: .rejected(.badCertificate),  // security level 2: CA signature digest too weak
    ]

    /// An `--expect` file for every device of a fixture.
    public static func expectFile(for fixture: PKIFixture) -> String {
        fixture.pki.manifest.devices.map { "\($0.id)\t\(Self.openSSLBackend[$0.defect]!.identifier)" }.joined(
            separator: "\n"
        ) + "\n"
    }
}
