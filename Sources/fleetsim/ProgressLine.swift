import Fleet
import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// One line on stderr, refreshed four times a second while a run is under way: elapsed, started,
/// connected, ok/failed, verdicts per second, p50/p99 so far and p99 of the last second, and the
/// failures by class (`rejected 12, tcp-refused 3`).
///
/// Every write goes through one lock, and the line never exceeds the terminal's width: a line
/// that wrapped could not be erased by `\r` + erase-line, and its head would be left above the
/// summary. ``finish()`` waits for the drawing task to end before it erases the line, so no late
/// redraw runs into the summary; ``announce(_:)`` erases the line before its message, so Ctrl-C's
/// note starts a line of its own.
final class ProgressLine: Sendable {
    private let collector: RunCollector
    private let total: Int
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    /// Guards the terminal; `true` once finished (nothing more is drawn).
    private let output = NIOLockedValueBox(false)
    static let erase = "\r\u{1B}[2K"

    init(collector: RunCollector, total: Int) {
        self.collector = collector
        self.total = total
    }

    func start() {
        let begin = Date()
        self.task.withLockedValue {
            $0 = Task.detached { [self] in
                var last = (verdicts: 0, time: begin)
                var recent = RecentLatency()
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 250_000_000)
                    if Task.isCancelled { break }
                    let state = self.collector.state
                    let now = Date()
                    let verdicts = state.succeeded + state.failed
                    let rate = Double(verdicts - last.verdicts) / max(0.001, now.timeIntervalSince(last.time))
                    last = (verdicts, now)
                    let text = Self.text(
                        state,
                        total: self.total,
                        elapsed: now.timeIntervalSince(begin),
                        rate: rate,
                        recentP99: recent.p99(state)
                    )
                    self.draw(Self.fit(text, columns: Self.columns()))
                }
            }
        }
    }

    /// Stops drawing, waits for the last draw to end, and erases the line.
    func finish() async {
        let task = self.task.withLockedValue { $0 }
        task?.cancel()
        await task?.value
        self.output.withLockedValue { finished in
            finished = true
            Self.write(Self.erase)
        }
    }

    /// A message of its own line (`fleetsim: MESSAGE`) while the progress line is shown.
    func announce(_ message: String) {
        self.output.withLockedValue { _ in Self.write(Self.erase + "fleetsim: \(message)\n") }
    }

    private func draw(_ line: String) {
        self.output.withLockedValue { finished in
            if !finished { Self.write(Self.erase + line) }
        }
    }

    /// `3.2s started 120/500 connected 80 ok 100 failed 12 40/s p50 3.1ms p99 9.8ms (1s: 12.0ms) failed: rejected 10, tcp-refused 2`
    static func text(
        _ state: RunCollector.State,
        total: Int,
        elapsed: Double,
        rate: Double,
        recentP99: Double?
    ) -> String {
        var line = String(
            format: "%.1fs started %d/%d connected %d ok %d failed %d %.0f/s",
            elapsed,
            state.started,
            total,
            state.connected,
            state.succeeded,
            state.failed,
            rate
        )
        if let accept = state.histograms.summary(.serverAccept) ?? state.histograms.summary(.mqttConnack) {
            line += String(format: " p50 %.1fms p99 %.1fms", accept.p50, accept.p99)
            if let recentP99 { line += String(format: " (1s: %.1fms)", recentP99) }
        }
        var classes: [String: Int] = [:]
        for (outcome, count) in state.outcomes where outcome != "ok" {
            classes[String(outcome.prefix { $0 != ":" }), default: 0] += count
        }
        let ranked = classes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        if !ranked.isEmpty {
            line += " failed: " + ranked.prefix(3).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            if ranked.count > 3 { line += ", +\(ranked.count - 3) more" }
        }
        return line
    }

    /// The line cut to the terminal's width less one column (no wrap, no auto-margin scroll).
    static func fit(_ line: String, columns: Int) -> String {
        let room = max(20, columns - 1)
        return line.count <= room ? line : String(line.prefix(room - 1)) + "…"
    }

    /// stderr's terminal width; 80 when it cannot be read.
    static func columns() -> Int {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
