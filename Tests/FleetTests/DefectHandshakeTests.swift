import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import FleetTestSupport
import Testing

/// Every defect kind `pki issue` makes, through the project's wolfSSL client, against a real
/// `openssl s_server -Verify 2 -verify_return_error` (Debian's OpenSSL 3.0, default security level 2).
/// The outcomes are OpenSSL's verdicts as fleetsim reports them.
@Suite(.serialized) struct DefectHandshakeTests {

    @Test(arguments: ["1.3", "1.2"])
    func everyDefectGetsTheExpectedOutcome(version: String) async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let layout = fixture.layout
        let crlBundle = try fixture.directory.write("crl-and-chain.pem", try fixture.text(layout.crl))
        func server(checkingCRL: Bool) async throws -> OpenSSLServer {
            try await OpenSSLServer(
                certificate: layout.serverCertificate,
                chain: layout.intermediateCertificate,
                key: layout.serverKey,
                clientCA: layout.rootCertificate,
                version: version,
                in: fixture.directory,
                extraArguments: checkingCRL ? ["-CRL", crlBundle, "-crl_check"] : []
            )
        }
        let plain = try await server(checkingCRL: false)
        let withCRL = try await server(checkingCRL: true)
        defer {
            plain.stop()
            withCRL.stop()
        }
        let context = try TLSContext(
            configuration: .makeClientConfiguration(trustRootsPEM: fixture.text(layout.rootCertificate))
        )

        for defect in DeviceDefect.allCases {
            let expected = DefectOutcomes.openSSLBackend[defect]!
            let id = fixture.devices[defect]!
            let target = defect == .revoked ? withCRL : plain
            let runner = OneDevice(context: context, port: target.port)
            let device = runner.device(
                id,
                chainPEM: try fixture.text(layout.deviceCertificate(id)),
                keyPEM: try fixture.text(layout.deviceKey(id))
            )
            let (result, _) = await runner.run(device)
            #expect(result.outcome == expected, "TLS \(version) \(defect): \(result.detail ?? "")")
        }
        // The good device passes the CRL-checking server too: the CRL is not what rejects devices.
        let good = fixture.devices[.none]!
        let runner = OneDevice(context: context, port: withCRL.port)
        let (result, _) = await runner.run(
            runner.device(
                good,
                chainPEM: try fixture.text(layout.deviceCertificate(good)),
                keyPEM: try fixture.text(layout.deviceKey(good))
            )
        )
        #expect(result.outcome == .ok, "\(result.detail ?? "")")
    }
}
