import Foundation

/// One line of `fleetsim serve --audit`: the backend's verdict on one connection.
public struct AuditLine: Decodable, Sendable, Equatable {
    /// From the device's certificate; nil when it presented none.
    public var deviceID: String?
    /// `accepted` or `rejected`.
    public var verdict: String
    /// For rejections: the outcome identifier the device sees (`rejected:unknown-ca`, …).
    public var outcome: String?
    public var reason: String?
    public var alertSent: Int?
    public var mqttClientID: String?
    public var phase: String
    /// The application protocol ALPN negotiated; nil when none was.
    public var alpn: String?
}

/// The audit log a test's `fleetsim serve --audit FILE` writes, read as it grows. The backend
/// writes a verdict when it makes it, which may be just after the device saw the end of its
/// connection: tests wait for the lines they need instead of sleeping.
public struct AuditLogFile: Sendable {
    public let path: String

    public init(_ path: String) {
        self.path = path
    }

    /// Every complete line so far (a line still being written waits for the next read); none
    /// before the server created the file.
    /// - Throws: a `DecodingError` for a complete line that is not an audit record.
    public func lines() throws -> [AuditLine] {
        guard let data = FileManager.default.contents(atPath: self.path) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        let complete = text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
        let decoder = JSONDecoder()
        return try complete.split(separator: "\n").map { try decoder.decode(AuditLine.self, from: Data($0.utf8)) }
    }

    /// Waits until at least `count` lines satisfy `predicate`, and returns every line.
    /// - Throws: ``PollTimeout`` with the log's text when `timeout` passes first.
    @discardableResult
    public func waitForLines(
        _ count: Int,
        where predicate: (AuditLine) -> Bool = { _ in true },
        timeout: Duration = .seconds(15)
    ) async throws -> [AuditLine] {
        try await Poll.value(
            "\(count) matching line(s) in \(self.path)",
            timeout: timeout,
            interval: .milliseconds(50),
            detail: self.tail
        ) {
            let lines = try self.lines()
            return lines.filter(predicate).count >= count ? lines : nil
        }
    }

    /// Waits until a line names each device of `ids`, and returns every line.
    /// - Throws: ``PollTimeout`` naming the devices still missing when `timeout` passes first.
    @discardableResult
    public func waitForDevices(_ ids: some Collection<String>, timeout: Duration = .seconds(15)) async throws
        -> [AuditLine]
    {
        var missing = Set(ids)
        return try await Poll.value(
            "a line for each of \(ids.count) device(s) in \(self.path)",
            timeout: timeout,
            interval: .milliseconds(50),
            detail: { "still missing: \(missing.sorted())" }
        ) {
            let lines = try self.lines()
            missing.subtract(lines.compactMap(\.deviceID))
            return missing.isEmpty ? lines : nil
        }
    }

    /// For a timeout's message: how many lines there are, and the last few.
    private func tail() -> String {
        guard let text = try? String(contentsOfFile: self.path, encoding: .utf8) else { return "(no file yet)" }
        let lines = text.split(separator: "\n")
        return "\(lines.count) line(s), the last:\n" + lines.suffix(10).joined(separator: "\n")
    }
}
