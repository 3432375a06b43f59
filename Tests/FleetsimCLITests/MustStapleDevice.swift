import FleetTestSupport
import Foundation
import Testing

/// One device of an identities folder, `run --ocsp must-staple --per-device`, against a server on
/// 127.0.0.1: what it reports — the outcome and `ocspStaple`.
enum MustStapleDevice {
    static func run(
        port: Int,
        identities: String,
        ca: String,
        in directory: TemporaryDirectory,
        extra: [String] = []
    ) async throws -> (outcome: String, staple: String?) {
        let json = directory.path("report-\(UUID().uuidString.prefix(6)).json")
        let result = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(port)", "--identities", identities, "--ca", ca, "--server-name",
                "localhost", "--protocol", "tls", "--ocsp", "must-staple", "--json", json, "--per-device", "--quiet",
            ] + extra,
            in: directory
        )
        #expect([0, 1].contains(result.status), "\(result.output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        let device = try #require((report["devices"] as? [[String: Any]])?.first)
        return (device["outcome"] as? String ?? "", device["ocspStaple"] as? String)
    }

    /// `serve --listen 127.0.0.1:0` with `arguments`, expected to stop before listening.
    static func serveRefused(_ arguments: [String], in directory: TemporaryDirectory) async throws -> CommandResult {
        try await FleetsimBinary.run(
            ["serve", "--listen", "127.0.0.1:0"] + arguments,
            in: directory,
            timeout: .seconds(30)
        )
    }
}
