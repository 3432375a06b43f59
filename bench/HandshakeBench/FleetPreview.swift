import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import Foundation
import NIOPosix
import X509

/// Connects every device a `fleetsim pki` directory holds to `openssl s_server` (trusting the
/// root, CRL loaded) and prints each outcome with the lint's diagnosis for failures: a preview of
/// what `fleetsim run` reports, for the demo.
enum FleetPreview {
    static func run(directory: String, version: String, scratch: TemporaryDirectory) async throws {
        let pki = try PrivatePKI.open(directory)
        let layout = pki.layout
        let server = try await OpenSSLServer(
            certificate: layout.serverCertificate,
            chain: layout.intermediateCertificate,
            key: layout.serverKey,
            clientCA: layout.rootCertificate,
            version: version,
            in: scratch,
            extraArguments: ["-CRL", layout.crl, "-crl_check"]
        )
        defer { server.stop() }
        let rootPEM = try String(contentsOfFile: layout.rootCertificate, encoding: .utf8)
        let context = try TLSContext(configuration: .makeClientConfiguration(trustRootsPEM: rootPEM))
        let connector = DeviceConnector(context: context, group: MultiThreadedEventLoopGroup.singleton)
        let lint = CertificateLint(
            trusted: try PEMFile.certificates(at: layout.rootCertificate),
            crl: try RevocationList(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: layout.crl))))
        )
        print("\nTLS \(version): every device in \(directory) against openssl s_server -verify_return_error (CRL loaded)")
        print("  \("device".padding(toLength: 26, withPad: " ", startingAt: 0)) \("outcome".padding(toLength: 34, withPad: " ", startingAt: 0)) diagnosis")
        var counts: [String: Int] = [:]
        for device in pki.manifest.devices {
            let chainPEM = try String(contentsOfFile: layout.deviceCertificate(device.id), encoding: .utf8)
            let keyPEM = try String(contentsOfFile: layout.deviceKey(device.id), encoding: .utf8)
            let result = await connector.connect(
                identity: DeviceIdentity(label: device.id, chainPEM: chainPEM, keyPEM: keyPEM),
                host: "127.0.0.1",
                port: server.port,
                serverName: "localhost"
            )
            counts[result.outcome.identifier, default: 0] += 1
            var diagnosis = ""
            if result.outcome != .ok {
                var deviceLint = lint
                deviceLint.keyPEM = keyPEM
                let codes = (try? PEMFile.certificates(in: chainPEM, source: device.id)).map { deviceLint.lint($0).compactMap(\.code?.rawValue) }
                diagnosis = codes?.joined(separator: ", ") ?? "weak-key"
            }
            print(
                "  \(device.id.padding(toLength: 26, withPad: " ", startingAt: 0)) "
                    + "\(result.outcome.identifier.padding(toLength: 34, withPad: " ", startingAt: 0)) \(diagnosis)"
            )
        }
        print("  totals: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}
