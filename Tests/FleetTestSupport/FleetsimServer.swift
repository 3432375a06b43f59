import Foundation

/// `fleetsim serve` (or another listening command, e.g. `pki ocsp`) started by a test on 127.0.0.1
/// with port 0, stopped by pid.
public final class FleetsimServer: Sendable {
    public let process: ForeignProcess
    public let port: Int

    /// - Parameters:
    ///   - port: 0 for an ephemeral port; a given port to restart a server where it was.
    ///   - command: the subcommand that takes `--listen` and prints `listening on HOST:PORT`.
    public init(
        _ arguments: [String],
        in directory: TemporaryDirectory,
        port: Int = 0,
        command: [String] = ["serve"]
    ) async throws {
        let process = try ForeignProcess(
            FleetsimBinary.path,
            command + ["--listen", "127.0.0.1:\(port)"] + arguments,
            in: directory,
            name: "\(command.joined(separator: "-"))-\(UUID().uuidString.prefix(6))"
        )
        self.port = try await process.portOrStop(after: "listening on")
        self.process = process
    }

    public func stop() { self.process.stop() }
}
