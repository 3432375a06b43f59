import Dispatch
import Fleet

#if canImport(Glibc)
    import Glibc
#endif

/// Turns SIGINT and SIGTERM into calls of a handler instead of killing the process, so `run` can
/// write its partial report and `serve` can close connections and flush its audit log.
final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable (Int32) -> Void) {
        self.sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { handler(signalNumber) }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in self.sources { source.cancel() }
    }

    /// `run`: the first signal stops the run (the partial report is still written), a second exits at once.
    ///
    /// With a live progress line the note goes through it, so it starts a line of its own instead of
    /// following the line (or the terminal's `^C`) after a dangling `fleetsim: `.
    static func stopping(_ stop: StopSignal, progress: ProgressLine? = nil) -> SignalWatcher {
        SignalWatcher { _ in
            if stop.isStopped {
                progress?.announce("interrupted again: quitting")
                Glibc.exit(ExitStatus.interrupted)
            }
            let note = "interrupted: stopping, writing the partial report (Ctrl-C again to quit at once)"
            if let progress { progress.announce(note) } else { Fleetsim.printError(note) }
            stop.stop()
        }
    }

    /// `serve`: returns when the first SIGINT or SIGTERM arrives.
    static func waitForStop() async {
        let (signals, continuation) = AsyncStream<Void>.makeStream()
        let watcher = SignalWatcher { _ in continuation.yield() }
        defer { watcher.cancel() }
        for await _ in signals { break }
    }
}
