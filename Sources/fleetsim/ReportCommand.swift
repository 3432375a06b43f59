import ArgumentParser
import Fleet
import FleetPKI
import Foundation

/// `fleetsim report`: work with the JSON reports of earlier runs.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Work with the JSON reports of earlier runs.",
        subcommands: [Merge.self, HTML.self, Diff.self]
    )

    /// Reads a `run --json` report (a shard's, a merged one, a CI artifact), or says which file and why not.
    static func read(_ file: String) throws -> RunReport {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw InputError(.unreadableFile, "\(file): cannot read the report", path: file)
        }
        do {
            return try ReportMerge.read(data)
        } catch {
            throw InputError(.badReport, "\(file): not a fleetsim JSON report (\(error))", path: file)
        }
    }

    /// Writes the HTML page of `report` to `path`, atomically.
    static func writePage(_ report: RunReport, to path: String) throws {
        do {
            try AtomicFile.write(HTMLReport.make(report), to: path)
        } catch {
            throw InputError(.cannotWrite, "\(path): cannot write the page: \(error)", path: path)
        }
    }

    /// `fleetsim report html`: the page `run --html` writes, from any JSON report.
    struct HTML: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "html",
            abstract: "Render the HTML page of a JSON report (a run's, a shard's or a merged one).",
            discussion: "The same self-contained page `run --html` writes: no scripts, nothing fetched."
        )

        @Argument(help: ArgumentHelp("A report written by run --json or report merge --json.", valueName: "file"))
        var file: String

        @Option(
            name: [.customShort("o"), .customLong("output")],
            help: ArgumentHelp("Write the page here. (default: the report's name with .html)", valueName: "file")
        )
        var output: String?

        func run() async throws {
            let report = try ReportCommand.read(self.file)
            let path = self.output ?? Self.defaultOutput(for: self.file)
            try ReportCommand.writePage(report, to: path)
            print("wrote \(path)")
        }

        /// `run.json` → `run.html`; a name without `.json` gets `.html` appended.
        static func defaultOutput(for file: String) -> String {
            file.hasSuffix(".json") ? String(file.dropLast(5)) + ".html" : file + ".html"
        }
    }

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

        @Option(help: ArgumentHelp("Write the merged report's HTML page here.", valueName: "file"))
        var html: String?

        func validate() throws {
            if self.files.isEmpty {
                throw ValidationError("give the reports to merge: fleetsim report merge A.json B.json …")
            }
        }

        func run() async throws {
            var reports: [(source: String, report: RunReport)] = []
            for file in self.files { reports.append((file, try ReportCommand.read(file))) }
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
            if let html { try ReportCommand.writePage(merged, to: html) }
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
