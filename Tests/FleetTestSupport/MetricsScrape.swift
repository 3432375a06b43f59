/// The `--metrics` endpoint of a `fleetsim run` or `serve` a test started: samples by series, and
/// waiting (bounded) for a counter to reach a value — how a test knows how far a run has got.
public struct MetricsScrape: Sendable {
    public let port: Int

    public init(port: Int) {
        self.port = port
    }

    /// The endpoint `process` announces on its `metrics on http://127.0.0.1:PORT/metrics` line.
    public init(printedBy process: ForeignProcess, timeout: Duration = .seconds(30)) async throws {
        self.port = try await process.waitForPort(after: "metrics on http://", timeout: timeout)
    }

    /// `GET /metrics`, by series (`name{label="value",…}` → value).
    /// - Throws: ``ForeignProcessError`` when the endpoint does not answer 200.
    public func samples() throws -> [String: Double] {
        let response = try HTTPGet.fetch(port: self.port, path: "/metrics")
        guard response.status == 200 else { throw ForeignProcessError("GET /metrics answered \(response.status)") }
        return Self.samples(in: response.body)
    }

    /// Waits until `series` is at least `value` (a missing series counts as 0); returns the samples.
    /// - Throws: ``PollTimeout`` with the last value seen when `timeout` passes first.
    @discardableResult
    public func waitFor(_ series: String, atLeast value: Double, timeout: Duration = .seconds(30)) async throws
        -> [String: Double]
    {
        var last = 0.0
        return try await Poll.value(
            "\(series) ≥ \(value) on 127.0.0.1:\(self.port)",
            timeout: timeout,
            interval: .milliseconds(50),
            detail: { "last value \(last)" }
        ) {
            let samples = try self.samples()
            last = samples[series] ?? 0
            return last >= value ? samples : nil
        }
    }

    /// Samples of the Prometheus text format by series; comment lines are skipped.
    public static func samples(in text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
