import Foundation

/// `fleetsim serve` started by a test on 127.0.0.1 with port 0, stopped by pid.
public final class FleetsimServer: Sendable {
    public let process: ForeignProcess
    public let port: Int

    /// - Parameter port: 0 for an ephemeral port; a given port to restart a server where it was.
    public init(_ arguments: [String], in directory: TemporaryDirectory, port: Int = 0) async throws {
        let process = try ForeignProcess(
            FleetsimBinary.path,
            ["serve", "--listen", "127.0.0.1:\(port)"] + arguments,
            in: directory,
            name: "serve-\(UUID().uuidString.prefix(6))"
        )
        do {
            self.port = try await process.waitForPort(after: "listening on")
        } catch {
            process.stop()
            throw error
        }
        self.process = process
    }

    public func stop() { self.process.stop() }
}
