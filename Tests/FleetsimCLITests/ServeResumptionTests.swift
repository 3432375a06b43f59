import FleetTestSupport
import Foundation
import Testing

/// The backend knows who a device is on a resumed session too: a resumed handshake exchanges no
/// certificates, and a TLS 1.2 session ticket carries none, so `serve`'s client-id check used to
/// refuse every TLS 1.2 ticket resumption (`mqtt-refused:not-authorized`).
@Suite(.serialized) struct ServeResumptionTests {
    @Test(arguments: [("1.2", "tickets"), ("1.2", "session-ids"), ("1.3", "tickets")])
    func resumedDevicesAreStillTheirCertificatesDevice(tls: String, resumption: String) async throws {
        let (directory, layout) = try await MQTTRefusalTests.fleet()
        defer { directory.remove() }
        let server = try await FleetsimServer(["--dir", layout.directory], in: directory)
        defer { server.stop() }
        let run = try await MQTTRefusalTests.run(
            layout,
            port: server.port,
            ["--tls", tls, "--resumption", resumption, "--churn", "3", "--churn-pause", "10ms"],
            in: directory
        )
        #expect(run.connectionOutcomes == ["ok": 9])
        let resumed = (run.report["connections"] as? [String: Any])?["resumption"] as? [String: Any]
        #expect(resumed?["resumed"] as? Int == 6)
    }
}
