import FleetCore
import Foundation
import Testing

@testable import Fleet

/// The profile key `tls.alpn`: a list or one name, validated at load (`bad-value` naming the key),
/// and an ALPN refusal never explained by the device's certificate.
@Suite struct ALPNProfileTests {
    func load(_ yaml: String) throws(DeviceProfile.LoadError) -> DeviceProfile {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alpn-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(yaml.utf8))
        return try DeviceProfile.load(path: path)
    }

    @Test func aListOrOneName() throws {
        #expect(try self.load("tls: { alpn: [x-amzn-mqtt-ca, mqtt] }").alpn?.names == ["x-amzn-mqtt-ca", "mqtt"])
        #expect(try self.load("tls:\n  alpn: x-amzn-mqtt-ca\n").alpn?.names == ["x-amzn-mqtt-ca"])
        #expect(try self.load("tls: { alpn: ['8883'] }").alpn?.names == ["8883"])
        #expect(try self.load("tls: { versions: [1.3] }").alpn == nil)
    }

    @Test(arguments: [
        "tls: { alpn: [] }", "tls: { alpn: '' }", "tls: { alpn: [mqtt, ''] }", "tls: { alpn: 'mq tt' }",
        "tls: { alpn: 'mqtt,h2' }", "tls: { alpn: [mqtt, mqtt] }", "tls: { alpn: [8883] }", "tls: { alpn: { a: b } }",
        "tls: { alpn: [\(String(repeating: "a", count: 256))] }",
        "tls: { alpn: [\((0...16).map { "p\($0)" }.joined(separator: ", "))] }",
    ])
    func badValuesNameTheKey(yaml: String) {
        let error = #expect(throws: DeviceProfile.LoadError.self, "\(yaml)") { try self.load(yaml) }
        #expect(error?.code == .badValue, "\(yaml)")
        #expect(error?.key == "tls.alpn", "\(yaml)")
    }

    @Test func noApplicationProtocolIsNotExplainedByTheCertificate() {
        #expect(!DiagnosisRelevance.explains(.rejected(.noApplicationProtocol), handshakeCompleted: false))
        #expect(DiagnosisRelevance.explains(.rejected(.certificateExpired), handshakeCompleted: false))
    }
}

/// Shards' ALPN counts add up; shards whose devices offered no ALPN add nothing.
@Suite struct ALPNReportMergeTests {
    func connections(alpn: [String: Int]?, without: Int?) -> RunReport.Connections {
        RunReport.Connections(
            attempts: 3,
            byKind: ["first": 3],
            outcomes: ["ok": 3],
            lost: 0,
            recovered: 0,
            peakConnectRate: 0,
            peakReconnectRate: 0,
            resumption: .init(offered: 0, resumed: 0),
            clockFailures: 0,
            alpn: alpn,
            withoutALPN: without
        )
    }

    @Test func countsAddUp() throws {
        let merged = try #require(
            ReportMerge.mergeConnections([
                self.connections(alpn: ["mqtt": 2], without: 1),
                self.connections(alpn: ["mqtt": 1, "x-amzn-mqtt-ca": 1], without: 0),
            ])
        )
        #expect(merged.alpn == ["mqtt": 3, "x-amzn-mqtt-ca": 1])
        #expect(merged.withoutALPN == 1)
        let none = try #require(ReportMerge.mergeConnections([self.connections(alpn: nil, without: nil)]))
        #expect(none.alpn == nil && none.withoutALPN == nil)
    }
}
