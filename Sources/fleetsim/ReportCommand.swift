import ArgumentParser
import Fleet
import FleetPKI
import Foundation

/// `fleetsim report`: work with the JSON reports of earlier runs.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Work with the JSON reports of earlier runs.",
        subcommands: [Merge.self]
    )

    /// `fleetsim report merge`: the shards of one run, as one report.
    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Merge the JSON reports of a sharded run into one, exactly.",
            discussion: """
                Counts and outcomes are summed, device lists concatenated, latency histograms merged \
                bucket by bucket (the merged percentiles equal those of one run over the same samples). \
                Peaks (connected devices, connect rates) are summed across shards: an upper bound. \
                Reports of another schema, target, protocol or TLS setting, the same shard twice, or a \
                device in two reports are refused (exit 2).
                """
        )

        @Argument(help: ArgumentHelp("The shards' reports (run --json).", valueName: "file"))
        var files: [String]

        @Option(help: ArgumentHelp("Write the merged report (fleetsim.report/1) here.", valueName: "file"))
        var json: String?

        func validate() throws {
            if self.files.isEmpty {
                throw ValidationError("give the reports to merge: fleetsim report merge A.json B.json …")
            }
        }

        func run() async throws {
            var reports: [(source: String, report: RunReport)] = []
            for file in self.files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw InputError(.unreadableFile, "\(file): cannot read the report", path: file)
                }
                do {
                    reports.append((file, try ReportMerge.read(data)))
                } catch {
                    throw InputError(.badReport, "\(file): not a fleetsim JSON report (\(error))", path: file)
                }
            }
            let merged: RunReport
            do { merged = try ReportMerge.merge(reports) } catch {
                throw InputError(.merge(error.code), error.description)
            }
            if let missing = Self.missingShards(reports.map(\.report)), !missing.isEmpty {
                Fleetsim.printError(
                    "note: shard(s) \(missing.joined(separator: ", ")) missing: the merged report covers part of the fleet"
                )
            }
            print(RunSummary.text(merged, mismatches: []))
            if let json {
                do {
                    try AtomicFile.write(Array(try RunReportBuilder.encode(merged)) + [0x0A], to: json)
                } catch {
                    throw InputError(.cannotWrite, "\(json): cannot write the merged report: \(error)", path: json)
                }
            }
        }

        /// With every report a shard K/N of the same N: the shards not given.
        static func missingShards(_ reports: [RunReport]) -> [String]? {
            let shards = reports.compactMap { $0.shard?.split(separator: "/").compactMap { Int($0) } }.filter {
                $0.count == 2
            }
            guard shards.count == reports.count, let n = shards.first?[1], shards.allSatisfy({ $0[1] == n }) else {
                return nil
            }
            let present = Set(shards.map { $0[0] })
            return (1...n).filter { !present.contains($0) }.map { "\($0)/\(n)" }
        }
    }
}
