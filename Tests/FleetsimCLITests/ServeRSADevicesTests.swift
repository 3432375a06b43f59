import FleetTestSupport
import Foundation
import Testing

/// `fleetsim serve` (an ECDSA server certificate) admits RSA-2048 and P-256 devices made with the
/// `openssl` CLI, in TLS 1.2 and 1.3, with `openssl s_client` as the foreign client: the audit log
/// records each one accepted.
@Suite(.serialized) struct ServeRSADevicesTests {
    @Test func rsaAndECDSADevicesAreAcceptedInBothVersions() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-serve-rsa")
        defer { directory.remove() }
        let serverRoot = try await OpenSSLCA.make("server-root", in: directory)
        let (serverCertificate, serverKey) = try await serverRoot.issue("broker", extensions: "server")
        let deviceRoot = try await OpenSSLCA.make("device-root", in: directory, rsa: true)
        let (rsaDevice, rsaKey) = try await deviceRoot.issue("tcu-rsa", rsa: 2048)
        let (ecDevice, ecKey) = try await deviceRoot.issue("tcu-p256")
        let audit = directory.path("audit.jsonl")
        let server = try await FleetsimServer(
            [
                "--ca", deviceRoot.certificate, "--cert", serverCertificate, "--key", serverKey, "--protocol", "tls",
                "--audit", audit,
            ],
            in: directory
        )
        defer { server.stop() }
        var expected = 0
        for version in ["-tls1_2", "-tls1_3"] {
            for (certificate, key) in [(rsaDevice, rsaKey), (ecDevice, ecKey)] {
                _ = try await ForeignProcess.run(
                    "openssl",
                    [
                        "s_client", "-connect", "127.0.0.1:\(server.port)", version, "-cert", certificate, "-key", key,
                        "-CAfile", serverRoot.certificate, "-servername", "localhost", "-verify_return_error",
                    ],
                    in: directory,
                    input: "",
                    timeout: .seconds(20)
                )
                expected += 1
                let lines = try await AuditLogFile(audit).waitForLines(expected)
                let last = try #require(lines.last)
                #expect(last.verdict == "accepted", "\(version) \(certificate): \(last)")
            }
        }
    }
}
