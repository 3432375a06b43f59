import ArgumentParser
import FleetMetrics
import Foundation
import Prometheus

/// `--metrics HOST:PORT`: live Prometheus metrics for `run` and `serve`.
struct MetricsOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Serve live Prometheus metrics at http://HOST:PORT/metrics (port 0: any free port). (default: off)",
            valueName: "host:port"
        )
    )
    var metrics: String?

    func check() throws {
        if let metrics { _ = try TargetOptions.split(metrics, option: "--metrics", allowPortZero: true) }
    }

    /// Starts the endpoint for `registry`, if asked for, and says where it is on stderr.
    func start(_ registry: PrometheusCollectorRegistry) async throws -> MetricsEndpoint? {
        guard let metrics else { return nil }
        let (host, port) = try TargetOptions.split(metrics, option: "--metrics", allowPortZero: true)
        let endpoint: MetricsEndpoint
        do {
            endpoint = try await MetricsEndpoint(host: host, port: port, registry: registry)
        } catch {
            throw InputError(.cannotListen, "cannot serve metrics on \(metrics): \(error)")
        }
        Fleetsim.printError("metrics on http://\(host):\(endpoint.port)/metrics")
        return endpoint
    }
}
