/// Waiting in a test for something to happen — a file to grow, a line to be printed, a counter to
/// move — by polling it, never by sleeping a fixed time: bounded by a deadline, and named in the
/// error when the deadline passes.
public enum Poll {
    /// Polls `condition` every `interval` until it holds.
    /// - Parameters:
    ///   - what: what the test waits for, for the error ("60 accepted devices in the audit log").
    ///   - detail: what to show when the deadline passes (the file, the process's output).
    /// - Throws: ``PollTimeout`` when `timeout` passes first; whatever `condition` throws.
    public static func until(
        _ what: @autoclosure () -> String,
        timeout: Duration = .seconds(10),
        interval: Duration = .milliseconds(20),
        detail: () -> String = { "" },
        _ condition: () async throws -> Bool
    ) async throws {
        _ = try await Self.value(what(), timeout: timeout, interval: interval, detail: detail) {
            try await condition() ? true : nil
        }
    }

    /// Polls `produce` every `interval` until it returns a value, and returns it.
    /// - Throws: ``PollTimeout`` when `timeout` passes first; whatever `produce` throws.
    public static func value<Value>(
        _ what: @autoclosure () -> String,
        timeout: Duration = .seconds(10),
        interval: Duration = .milliseconds(20),
        detail: () -> String = { "" },
        _ produce: () async throws -> Value?
    ) async throws -> Value {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let value = try await produce() { return value }
            guard clock.now < deadline else {
                let more = detail()
                throw PollTimeout(
                    description: "timed out after \(timeout) waiting for \(what())" + (more.isEmpty ? "" : ":\n\(more)")
                )
            }
            try await Task.sleep(for: interval)
        }
    }
}

/// A polled event did not happen before its deadline.
public struct PollTimeout: Error, CustomStringConvertible {
    public let description: String
}
