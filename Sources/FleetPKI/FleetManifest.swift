import Foundation

/// `certs/fleet.json`: what `pki` issued — every device's id, defect, serial and fingerprint — and
/// the CRL's state. Tests, `run` and `--expect` generation read it; `pki revoke` updates it;
/// `pki ocsp` answers from it.
///
/// Fields added after schema `fleetsim.fleet/1` was first written (`ocspURL`, a revocation's
/// `reason`) are optional, so a manifest written before them still loads.
public struct FleetManifest: Codable, Sendable, Equatable {
    public struct Device: Codable, Sendable, Equatable {
        public var id: String
        public var defect: DeviceDefect
        /// The certificate serial number, hex (as `openssl x509 -serial` prints it).
        public var serial: String
        /// SHA-256 of the certificate's DER, hex with colons.
        public var fingerprint: String
        public var key: String
        public var revoked: Bool

        public init(id: String, defect: DeviceDefect, serial: String, fingerprint: String, key: String, revoked: Bool) {
            self.id = id
            self.defect = defect
            self.serial = serial
            self.fingerprint = fingerprint
            self.key = key
            self.revoked = revoked
        }
    }

    /// One line of the CRL.
    public struct Revocation: Codable, Sendable, Equatable {
        /// Serial number, hex.
        public var serial: String
        public var date: Date
        /// Why (`pki revoke --reason`); nil, as in manifests written before reasons were recorded,
        /// means ``RevocationReason/unspecified``.
        public var reason: RevocationReason?

        public init(serial: String, date: Date, reason: RevocationReason? = nil) {
            self.serial = serial
            self.date = date
            self.reason = reason
        }
    }

    public var schema = "fleetsim.fleet/1"
    /// The number of the current CRL; incremented every time it is re-signed.
    public var crlNumber: Int
    /// What the CRL lists, in order of revocation.
    public var revocations: [Revocation]
    public var devices: [Device]
    /// The OCSP responder URL (`pki init --ocsp-url`) that every certificate issued since carries in
    /// its Authority Information Access extension; nil: no AIA.
    public var ocspURL: String?

    public init(crlNumber: Int = 1, revocations: [Revocation] = [], devices: [Device] = [], ocspURL: String? = nil) {
        self.crlNumber = crlNumber
        self.revocations = revocations
        self.devices = devices
        self.ocspURL = ocspURL
    }

    public static func load(from path: String) throws -> FleetManifest {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(FleetManifest.self, from: data)
    }

    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)) + [0x0A], to: path)
    }

    /// The next free number for ids `<prefix>NNNNN`.
    public func nextIndex(prefix: String) -> Int {
        let used = self.devices.compactMap { device -> Int? in
            guard device.id.hasPrefix(prefix) else { return nil }
            return Int(device.id.dropFirst(prefix.count))
        }
        return (used.max() ?? 0) + 1
    }
}
