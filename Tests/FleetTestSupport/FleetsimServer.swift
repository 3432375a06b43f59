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
        try await process.waitForOutput("listening on")
        guard let range = process.stdout.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
            let port = Int(process.stdout[range].split(separator: ":").last ?? "")
        else {
            process.stop()
            throw ForeignProcessError("fleetsim serve printed no port:\n\(process.output)")
        }
        self.process = process
        self.port = port
    }

    public func stop() { self.process.stop() }
}
