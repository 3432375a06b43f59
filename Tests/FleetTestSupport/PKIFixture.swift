import FleetPKI
import Foundation

/// A PKI on disk made by the project's own `PrivatePKI` (the code behind `fleetsim pki`): two good
/// devices and one device of every defect kind, in a fresh temporary directory.
public struct PKIFixture: Sendable {
    public let directory: TemporaryDirectory
    public let pki: PrivatePKI
    /// The device id of each defect kind (`none` is the first good device).
    public let devices: [DeviceDefect: String]

    public var layout: PKILayout { self.pki.layout }

    public static func make(algorithm: KeyAlgorithm = .ecdsaP256) async throws -> PKIFixture {
        let directory = try TemporaryDirectory(prefix: "fleetsim-pki")
        var pki = try PrivatePKI.create(
            in: directory.path("certs"),
            algorithm: algorithm,
            serverNames: ["localhost", "127.0.0.1"],
            force: false
        )
        var devices: [DeviceDefect: String] = [:]
        for defect in DeviceDefect.allCases {
            let count = defect == .none ? 2 : 1
            let prefix = defect == .none ? "tcu-" : "tcu-\(defect.rawValue)-"
            let issued = try await pki.issueDevices(count: count, prefix: prefix, defect: defect, algorithm: algorithm)
            devices[defect] = issued[0].id
        }
        return PKIFixture(directory: directory, pki: pki, devices: devices)
    }

    public func certificatePath(_ defect: DeviceDefect) -> String {
        self.layout.deviceCertificate(self.devices[defect]!)
    }
    public func keyPath(_ defect: DeviceDefect) -> String { self.layout.deviceKey(self.devices[defect]!) }

    public func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
}
