import FleetCore
import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// A fleet run as 4 shard processes at once against `fleetsim serve`, merged with `report merge`,
/// compared with one unsharded run over the same fleet.
@Suite(.serialized) struct ShardedRunTests {
    func report(_ path: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        )
    }

    func outcomes(_ report: [String: Any]) -> [String: String] {
        let devices = (report["devices"] as? [[String: Any]]) ?? []
        return Dictionary(
            devices.map { ($0["id"] as! String, $0["outcome"] as! String) },
            uniquingKeysWith: { a, _ in a }
        )
    }

    @Test func fourShardsMergeIntoTheUnshardedRun() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        var pki = fixture.pki
        _ = try await pki.issueDevices(count: 27, prefix: "fleet-", defect: .none, algorithm: .ecdsaP256)
        let server = try await FleetsimServer(
            ["--dir", fixture.layout.directory, "--protocol", "mqtt"],
            in: fixture.directory
        )
        defer { server.stop() }
        let base = [
            "run", "--target", "127.0.0.1:\(server.port)", "--dir", fixture.layout.directory, "--server-name",
            "localhost",
            "--protocol", "mqtt", "--per-device", "--quiet",
        ]

        // Two shards pick their slice from --shard, two from JOB_COMPLETION_INDEX as in a Kubernetes Indexed Job.
        var shards: [ForeignProcess] = []
        var paths: [String] = []
        for k in 1...4 {
            let path = fixture.directory.path("shard-\(k).json")
            paths.append(path)
            let selection = k <= 2 ? ["--shard", "\(k)/4"] : ["--shards", "4"]
            shards.append(
                try ForeignProcess(
                    FleetsimBinary.path,
                    base + selection + ["--json", path],
                    in: fixture.directory,
                    name: "shard-\(k)",
                    environment: k <= 2 ? [:] : ["JOB_COMPLETION_INDEX": "\(k - 1)"]
                )
            )
        }
        for shard in shards {
            let status = try await shard.waitForExit(timeout: .seconds(60))
            #expect(status == 0, "\(shard.output)")
        }
        let mergedPath = fixture.directory.path("merged.json")
        let merge = try await FleetsimBinary.run(
            ["report", "merge"] + paths + ["--json", mergedPath],
            in: fixture.directory
        )
        #expect(merge.status == 0, "\(merge.output)")

        let wholePath = fixture.directory.path("whole.json")
        let whole = try await FleetsimBinary.run(base + ["--json", wholePath], in: fixture.directory)
        #expect(whole.status == 0, "\(whole.output)")

        let merged = try self.report(mergedPath)
        let unsharded = try self.report(wholePath)
        let mergedCounts = try #require(merged["counts"] as? [String: Int])
        let wholeCounts = try #require(unsharded["counts"] as? [String: Int])
        for key in ["devices", "attempted", "succeeded", "failed", "notStarted"] {
            #expect(mergedCounts[key] == wholeCounts[key], "\(key)")
        }
        #expect(mergedCounts["devices"] == 40)
        #expect(merged["failures"] as? [String: Int] == unsharded["failures"] as? [String: Int])
        let mergedOutcomes = self.outcomes(merged)
        #expect(mergedOutcomes.count == 40)
        #expect(mergedOutcomes == self.outcomes(unsharded))
        // The shards together attempted every device exactly once.
        var seen: [String: Int] = [:]
        for path in paths {
            let shard = try self.report(path)
            #expect((shard["shard"] as? String)?.hasSuffix("/4") == true)
            for id in self.outcomes(shard).keys { seen[id, default: 0] += 1 }
        }
        #expect(seen.count == 40)
        #expect(seen.values.allSatisfy { $0 == 1 })
        // Merged histograms hold every shard's samples.
        let latency = try #require(merged["latencyMs"] as? [String: [String: Double]])
        #expect(latency["mqttConnack"]?["count"] == Double(wholeCounts["succeeded"]!))
    }

    @Test func mergeRefusesReportsThatAreNotShardsOfOneRun() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-merge")
        defer { directory.remove() }
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:9", "--identities", directory.path("none"), "--ca",
                directory.path("none.pem"),
            ],
            in: directory
        )
        #expect(run.status == 2)  // sanity: nothing to run without identities
        let a = try directory.write("a.json", Self.minimalReport(target: "127.0.0.1:1", shard: "1/2", device: "x"))
        let b = try directory.write("b.json", Self.minimalReport(target: "127.0.0.1:2", shard: "2/2", device: "y"))
        let c = try directory.write("c.json", Self.minimalReport(target: "127.0.0.1:1", shard: "2/2", device: "x"))
        let garbage = try directory.write("g.json", "{ not json")
        for (files, code) in [
            ([a, b], "merge:other-run"), ([a, c], "merge:overlapping-devices"), ([a, a], "merge:repeated-shard"),
            ([a, garbage], "bad-report"),
        ] {
            let merge = try await FleetsimBinary.run(["report", "merge"] + files, in: directory)
            #expect(merge.status == 2, "\(files)")
            #expect(merge.inputErrorCode == code, "\(merge.output)")
        }
    }

    /// `report html` renders the page of any report, a merged one too; `report merge --html` writes
    /// the merged page directly; a file that is not a report is refused naming it.
    @Test func pagesFromJSONReports() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-html")
        defer { directory.remove() }
        let a = try directory.write("a.json", Self.minimalReport(target: "127.0.0.1:1", shard: "1/2", device: "tcu-1"))
        let b = try directory.write("b.json", Self.minimalReport(target: "127.0.0.1:1", shard: "2/2", device: "tcu-2"))
        let page = try await FleetsimBinary.run(["report", "html", a], in: directory)
        #expect(page.status == 0, "\(page.output)")
        let html = try String(contentsOfFile: directory.path("a.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("tcu-1"))

        let mergedPage = directory.path("merged.html")
        let merge = try await FleetsimBinary.run(["report", "merge", a, b, "--html", mergedPage], in: directory)
        #expect(merge.status == 0, "\(merge.output)")
        let merged = try String(contentsOfFile: mergedPage, encoding: .utf8)
        #expect(merged.contains("tcu-1") && merged.contains("tcu-2"))

        let chosen = directory.path("chosen.html")
        let named = try await FleetsimBinary.run(["report", "html", a, "-o", chosen], in: directory)
        #expect(named.status == 0)
        #expect(FileManager.default.fileExists(atPath: chosen))

        let garbage = try directory.write("g.json", "{ not json")
        let refused = try await FleetsimBinary.run(["report", "html", garbage], in: directory)
        #expect(refused.status == 2)
        #expect(refused.inputErrorCode == "bad-report")
        #expect(!FileManager.default.fileExists(atPath: directory.path("g.html")))
    }

    static func minimalReport(target: String, shard: String, device: String) -> String {
        """
        {"schema":"fleetsim.report/1","target":"\(target)","protocol":"tls","tls":"1.3","startedAt":"2026-11-22T10:00:00Z",
         "durationSeconds":1,"interrupted":false,"shard":"\(shard)",
         "counts":{"devices":1,"attempted":1,"succeeded":0,"failed":1,"notStarted":0,"peakConnected":0},
         "rates":{"handshakesPerSecond":1},"latencyMs":{},"failures":{"tcp-refused":1},
         "devices":[{"id":"\(device)","outcome":"tcp-refused","diagnosis":[],"explanation":[],"latencyMs":{}}],
         "cpu":{"userSeconds":0.1,"systemSeconds":0.1},"memory":{"maxRSSBytes":1000},"gates":[],"histograms":{},"timelineSeconds":[[1,0,1]]}
        """
    }
}
