import FleetCore
import Foundation

/// JUnit XML for a CI's test view: one testcase per device. A device passes when it ended as the
/// `--expect` file says, or, without one, when it ended `ok`; a failure carries the outcome, the
/// server's alert, the detail and the diagnosis.
public enum JUnitReport {
    public static func make(_ report: RunReport, expectations: Expectations?, allOutcomes: [String: Outcome]) -> String {
        let devices = Dictionary(uniqueKeysWithValues: report.devices.map { ($0.id, $0) })
        var cases: [String] = []
        var failures = 0
        for (id, result) in allOutcomes.sorted(by: { $0.key < $1.key }) {
            let outcome = result.identifier
            let expected = expectations?.byDevice[id]
            // With --expect a device passes when it ended as expected; without, when it ended ok.
            let passed = expectations == nil ? result == .ok : (expected?.matches(result) ?? false)
            let time = (devices[id]?.latencyMs["serverAccept"] ?? devices[id]?.latencyMs["tlsHandshake"] ?? 0) / 1000
            var line = "    <testcase classname=\"fleetsim.devices\" name=\"\(Self.escape(id))\" time=\"\(String(format: "%.6f", time))\""
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
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="fleetsim" tests="\(cases.count)" failures="\(failures)" time="\(time)">
              <testsuite name="\(Self.escape(name))" tests="\(cases.count)" failures="\(failures)" errors="0" time="\(time)">
            \(cases.joined(separator: "\n"))
              </testsuite>
            </testsuites>

            """
    }

    static func escape(_ text: String) -> String { MarkupText.escape(text) }
}
