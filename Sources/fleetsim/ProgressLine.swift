import Fleet
import Foundation
import NIOConcurrencyHelpers

/// One line on stderr, refreshed four times a second while a run is under way: elapsed, started,
/// connected, ok/failed, verdicts per second, p50/p99 so far, the top failure.
final class ProgressLine: Sendable {
    private let collector: RunCollector
    private let total: Int
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(collector: RunCollector, total: Int) {
        self.collector = collector
        self.total = total
    }

    func start() {
        let collector = self.collector
        let total = self.total
        let begin = Date()
        self.task.withLockedValue {
            $0 = Task.detached {
                var last = (verdicts: 0, time: begin)
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 250_000_000)
                    let state = collector.state
                    let now = Date()
                    let verdicts = state.succeeded + state.failed
                    let rate = Double(verdicts - last.verdicts) / max(0.001, now.timeIntervalSince(last.time))
                    last = (verdicts, now)
                    let accept = state.histograms.summary(.serverAccept) ?? state.histograms.summary(.mqttConnack)
                    let latency = accept.map { String(format: " p50 %.1fms p99 %.1fms", $0.p50, $0.p99) } ?? ""
                    let top =
                        state.outcomes.filter { $0.key != "ok" }.max { $0.value < $1.value }.map {
                            " top failure \($0.key) ×\($0.value)"
                        } ?? ""
                    let line = String(
                        format: "\r\u{1B}[2K%.1fs started %d/%d connected %d ok %d failed %d %.0f/s%@%@",
                        now.timeIntervalSince(begin),
                        state.started,
                        total,
                        state.connected,
                        state.succeeded,
                        state.failed,
                        rate,
                        latency as NSString,
                        top as NSString
                    )
                    FileHandle.standardError.write(Data(line.utf8))
                }
            }
        }
    }

    func finish() {
        self.task.withLockedValue { $0?.cancel() }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
