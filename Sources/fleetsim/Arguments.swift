import ArgumentParser
import Backend
import FleetPKI
import FleetTLS

extension KeyAlgorithm: ExpressibleByArgument {
    /// `rsa-1024` is only a defect (`--defect weak-rsa`), never a choice.
    public init?(argument: String) {
        guard let value = KeyAlgorithm(rawValue: argument), value != .rsa1024 else { return nil }
        self = value
    }

    public static var allValueStrings: [String] {
        Self.allCases.filter { $0 != .rsa1024 }.map(\.rawValue)
    }
}

extension DeviceDefect: ExpressibleByArgument {}

extension OCSPStapling: ExpressibleByArgument {}

extension CertificateLint.Role: ExpressibleByArgument {}

extension CARole: ExpressibleByArgument {}

extension BackendPersonality: ExpressibleByArgument {}

extension OCSPSignerRole: ExpressibleByArgument {}

extension RevocationReason: ExpressibleByArgument {}
