import FleetCore
import Foundation

/// JUnit XML for a CI's test view: one testcase per device, and one per gate.
///
/// A device passes when it ended as the `--expect` file says, or, without one, when it ended `ok`;
/// a failure carries the outcome, the server's alert, the detail and the diagnosis. A device with
/// no outcome (the run was interrupted before it started or before its verdict) is a skipped
/// testcase, so every device of the run is in the file. Every gate (`--max-p99`,
/// `--max-failure-rate`, `--expect`, the run being complete) is a testcase of its own suite, so a
/// run that exits 1 on a gate never shows an all-green JUnit view.
public enum JUnitReport {
    /// - Parameters:
    ///   - allOutcomes: every decided device's outcome.
    ///   - deviceIDs: every device of the run (nil: the decided ones).
    public static func make(
        _ report: RunReport,
        expectations: Expectations?,
        allOutcomes: [String: Outcome],
        deviceIDs: [String]? = nil
    ) -> String {
        let devices = Dictionary(uniqueKeysWithValues: report.devices.map { ($0.id, $0) })
        var cases: [String] = []
        var failures = 0
        var skipped = 0
        let undecided = Set(deviceIDs ?? []).subtracting(allOutcomes.keys)
        for id in undecided.sorted() {
            skipped += 1
            let why =
                report.interrupted
                ? "the run was interrupted before this device had an outcome" : "this device has no outcome"
            cases.append(
                "    <testcase classname=\"fleetsim.devices\" name=\"\(Self.escape(id))\" time=\"0\">\n"
                    + "      <skipped message=\"\(Self.escape(why))\"/>\n    </testcase>"
            )
        }
        for (id, result) in allOutcomes.sorted(by: { $0.key < $1.key }) {
            let outcome = result.identifier
            let expected = expectations?.byDevice[id]
            // With --expect a device passes when it ended as expected; without, when it ended ok.
            let passed = expectations == nil ? result == .ok : (expected?.matches(result) ?? false)
            let time = (devices[id]?.latencyMs["serverAccept"] ?? devices[id]?.latencyMs["tlsHandshake"] ?? 0) / 1000
            var line =
                "    <testcase classname=\"fleetsim.devices\" name=\"\(Self.escape(id))\" time=\"\(String(format: "%.6f", time))\""
            if passed {
                line += "/>"
            } else {
                failures += 1
                let device = devices[id]
                var message = "ended \(outcome)"
                if let expected { message += ", expected \(expected.description)" }
                var body: [String] = []
                if let detail = device?.detail { body.append(detail) }
                if let alert = device?.alert { body.append("alert received: \(alert)") }
                for explanation in device?.explanation ?? [] { body.append("diagnosis: \(explanation)") }
                line += ">\n      <failure type=\"\(Self.escape(outcome))\" message=\"\(Self.escape(message))\">"
                line += Self.escape(body.joined(separator: "\n")) + "</failure>\n    </testcase>"
            }
            cases.append(line)
        }
        let name = "fleetsim run \(report.target) (\(report.protocol), TLS \(report.tls))"
        let time = String(format: "%.3f", report.durationSeconds)
        let gates = report.gates.map { gate in
            let head = "    <testcase classname=\"fleetsim.gates\" name=\"\(Self.escape(gate.name))\" time=\"0\""
            guard !gate.passed else { return head + "/>" }
            return head + ">\n      <failure type=\"gate\" message=\"\(Self.escape(gate.detail))\"/>\n    </testcase>"
        }
        let gateFailures = report.gates.filter { !$0.passed }.count
        var suites = """
              <testsuite name="\(Self.escape(name))" tests="\(cases.count)" failures="\(failures)" errors="0" skipped="\(skipped)" time="\(time)">
            \(cases.joined(separator: "\n"))
              </testsuite>
            """
        if !gates.isEmpty {
            suites += """

                  <testsuite name="fleetsim gates" tests="\(gates.count)" failures="\(gateFailures)" errors="0" skipped="0" time="0">
                \(gates.joined(separator: "\n"))
                  </testsuite>
                """
        }
        let total = cases.count + gates.count
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="fleetsim" tests="\(total)" failures="\(failures + gateFailures)" skipped="\(skipped)" time="\(time)">
            \(suites)
            </testsuites>

            """
    }

    static func escape(_ text: String) -> String { MarkupText.escape(text) }
}
