import ArgumentParser
import Fleet
import Foundation

/// A report read for comparison (`report diff`, `run --baseline`): the report and its
/// `parameters`, flattened, when it has them.
struct Baseline {
    let file: String
    let report: RunReport
    let parameters: [String: String]?

    /// Reads `file`, or says which file and why not (`unreadable-file`, `bad-report`).
    static func read(_ file: String) throws -> Baseline {
        let report = try ReportCommand.read(file)
        let data = FileManager.default.contents(atPath: file) ?? Data()
        return Baseline(file: file, report: report, parameters: ReportParameters.flattened(data))
    }

    /// `new` against `base`; reports of different schemas are an input error (`diff:other-schema`).
    static func compare(
        _ base: Baseline,
        _ new: RunReport,
        file: String?,
        parameters: [String: String]?
    ) throws -> ReportDiff {
        do {
            return try ReportDiff.make(
                base: base.report,
                new: new,
                files: (base.file, file),
                parameters: (base.parameters, parameters)
            )
        } catch {
            throw InputError(.diff(error.code), error.description, path: base.file)
        }
    }

    static func compare(_ base: Baseline, _ new: Baseline) throws -> ReportDiff {
        try Self.compare(base, new.report, file: new.file, parameters: new.parameters)
    }
}

/// `--max-regression SPEC`: how much worse than the baseline a run may be (``RegressionLimits``).
struct RegressionOption: ParsableArguments {
    @Option(
        name: .customLong("max-regression"),
        help: ArgumentHelp(
            "Fail (exit 1) when worse than the baseline by more than this: METRIC=LIMIT,… e.g. "
                + "p99=10%,tlsHandshake.p99=5ms,failureRate=0.5pp,cpuPerHandshake=15%,rate=20%.",
            valueName: "limits"
        )
    )
    var maxRegression: String?

    /// The limits, or an input error naming the flag and the entry (`max-regression:<code>`).
    func parsed() throws -> RegressionLimits? {
        guard let maxRegression else { return nil }
        do { return try RegressionLimits(maxRegression) } catch {
            throw InputError(.regression(error.code), "--max-regression: \(error.description)")
        }
    }
}

/// `run --baseline FILE`: compare the run with an earlier report, and gate it with `--max-regression`.
struct BaselineOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Compare the run with this earlier report (run --json); with --max-regression, a gate.",
            valueName: "file"
        )
    )
    var baseline: String?

    @OptionGroup var limits: RegressionOption

    func check() throws {
        if self.limits.maxRegression != nil && self.baseline == nil {
            throw ValidationError("--max-regression needs --baseline FILE (the report to compare with)")
        }
    }

    /// The baseline and the limits, read and parsed before anything runs.
    func load() throws -> (Baseline, RegressionLimits?)? {
        let limits = try self.limits.parsed()
        guard let baseline else { return nil }
        let loaded = try Baseline.read(baseline)
        // Refused before the run, not after it: the run would be wasted.
        if loaded.report.schema != ReportDiff.reportSchema {
            throw InputError(
                .diff(.otherSchema),
                "\(baseline): schema \(loaded.report.schema), but this fleetsim writes \(ReportDiff.reportSchema): give a baseline of the same schema",
                path: baseline
            )
        }
        return (loaded, limits)
    }

    /// The comparison of a finished run with the baseline, its gates added to the report's.
    static func compare(
        _ report: inout RunReport,
        with loaded: (Baseline, RegressionLimits?)
    ) throws -> ReportDiff {
        // The run's own parameters, read back from its JSON as a saved report's would be.
        let parameters = (try? RunReportBuilder.encode(report)).flatMap(ReportParameters.flattened)
        var diff = try Baseline.compare(loaded.0, report, file: nil, parameters: parameters)
        diff.gates = loaded.1?.gates(diff) ?? []
        report.gates += diff.gates
        return diff
    }
}
