import FleetCore
import FleetTestSupport
import Foundation

@testable import Fleet

/// A report as a big run writes it, made in code (a real 100,000-device run takes minutes of both
/// cores): devices started at `rate` per second, handshakes that slow down as the run goes on,
/// `failureShare` of the devices failing for one of six causes with the diagnosis a real run gives,
/// every failed device listed, connections, parameters and latency over time filled in. Seeded.
enum SyntheticReport {
    static let causes: [(Outcome, [(String, String)])] = [
        (.rejected(.certificateExpired), [("certificate-expired", "the device certificate expired on 2026-01-01")]),
        (.rejected(.unknownCA), [("unknown-issuer", "issued by a CA the backend does not trust")]),
        (.rejected(.certificateRevoked), [("revoked", "listed in the CRL since 2026-03-02")]),
        (.tcpRefused, []),
        (.handshakeTimeout, []),
        (.rejected(.badCertificate), [("key-mismatch", "the key does not match the certificate")]),
    ]

    static func make(
        devices: Int,
        failureShare: Double,
        rate: Double = 1000,
        idPrefix: String = "tcu",
        shard: String? = nil,
        seed: UInt64 = 1
    ) -> RunReport {
        var random = SplitMix(state: seed)
        var histograms = PhaseHistograms()
        var windows = LatencyWindows()
        var timeline: [[Int]] = []
        var listed: [RunReport.Device] = []
        var ok = 0
        for index in 0..<devices {
            let start = Double(index) / rate
            let second = Int(start)
            let load = 1 + min(start, 90) / 30
            while timeline.count <= second + 1 { timeline.append([0, 0, 0]) }
            timeline[second][0] += 1
            let handshake = 0.004 * load * pow(10, Double.random(in: 0...0.6, using: &random))
            let connect = 0.0004 * pow(10, Double.random(in: 0...0.5, using: &random))
            let id = String(format: "\(idPrefix)-%06d", index)
            let decided = Int(start + connect + handshake)
            histograms.record(.tcpConnect, seconds: connect)
            windows.record(.tcpConnect, seconds: connect, at: start + connect)
            if Double.random(in: 0..<1, using: &random) < failureShare {
                let (outcome, diagnoses) = Self.causes[Int.random(in: 0..<Self.causes.count, using: &random)]
                timeline[decided][2] += 1
                listed.append(
                    .failed(id, outcome, alert: diagnoses.isEmpty ? nil : 42, detail: "synthetic", diagnoses: diagnoses)
                )
            } else {
                ok += 1
                timeline[decided][1] += 1
                histograms.record(.tlsHandshake, seconds: handshake)
                histograms.record(.serverAccept, seconds: connect + handshake)
                windows.record(.tlsHandshake, seconds: handshake, at: start + connect + handshake)
                windows.record(.serverAccept, seconds: connect + handshake, at: start + connect + handshake)
            }
        }
        var report = RunReport.fixture(shard: shard, devices: listed, histograms: histograms)
        report.counts = .init(
            devices: devices,
            attempted: devices,
            succeeded: ok,
            failed: devices - ok,
            notStarted: 0,
            peakConnected: ok
        )
        report.durationSeconds = Double(timeline.count)
        report.rates = .init(handshakesPerSecond: rate, requestedStartRate: rate, achievedStartRate: rate)
        report.timelineSeconds = timeline
        report.latencyOverTime = LatencyOverTime(windows)
        report.connections = RunReport.Connections(
            attempts: devices,
            byKind: ["first": devices],
            outcomes: report.failures.merging(["ok": ok], uniquingKeysWith: +),
            lost: 0,
            recovered: 0,
            peakConnectRate: rate * 1.2,
            peakReconnectRate: 0,
            resumption: .init(offered: 0, resumed: 0, rate: nil),
            clockFailures: 0,
            negotiated: ["TLS 1.3 TLS13-AES128-GCM-SHA256": ok]
        )
        var settings = RunSettings(host: "127.0.0.1", port: 8883)
        settings.rate = rate
        settings.concurrency = 5000
        report.parameters = RunParameters(
            settings: settings,
            tls: "1.2-1.3",
            devices: devices,
            fleetsimVersion: "test",
            arguments: ["--dir", "fleet", "--rate", "\(Int(rate))"] + (shard.map { ["--shard", $0] } ?? [])
        )
        return report
    }
}
