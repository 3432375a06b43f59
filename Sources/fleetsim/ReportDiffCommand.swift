import ArgumentParser
import Fleet
import FleetPKI
import Foundation

extension ReportCommand {
    /// `fleetsim report diff`: a run compared with an earlier one, optionally gated.
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Compare two JSON reports: latency, rates, CPU, outcomes, and the devices that changed.",
            discussion: """
                Per-phase percentile changes (absolute and relative), verdicts/s, CPU per handshake, failure \
                rate, outcome counts, and every device whose outcome changed, with the new diagnosis. \
                Targets, protocols, TLS settings and parameters that differ are named. Reports of \
                different schemas are refused (exit 2, error[diff:other-schema]). With --max-regression, \
                exit 1 when a limit is exceeded.
                """
        )

        @Argument(help: ArgumentHelp("The baseline report (run --json).", valueName: "base"))
        var base: String

        @Argument(help: ArgumentHelp("The report to compare with it.", valueName: "new"))
        var new: String

        @Option(help: ArgumentHelp("Write the comparison (fleetsim.diff/1) here.", valueName: "file"))
        var json: String?

        @Option(help: ArgumentHelp("Write the comparison's HTML page here.", valueName: "file"))
        var html: String?

        @OptionGroup var limits: RegressionOption

        func run() async throws {
            let limits = try self.limits.parsed()
            var diff = try Baseline.compare(try Baseline.read(self.base), try Baseline.read(self.new))
            diff.gates = limits?.gates(diff) ?? []
            print(DiffText.text(diff))
            if let json {
                do {
                    try AtomicFile.write(Array(try RunReportBuilder.encode(diff)) + [0x0A], to: json)
                } catch {
                    throw InputError(.cannotWrite, "\(json): cannot write the diff: \(error)", path: json)
                }
            }
            if let html {
                do { try AtomicFile.write(DiffHTML.make(diff), to: html) } catch {
                    throw InputError(.cannotWrite, "\(html): cannot write the page: \(error)", path: html)
                }
            }
            if !diff.gates.allSatisfy(\.passed) { throw ExitCode(ExitStatus.checkFailed) }
        }
    }
}
