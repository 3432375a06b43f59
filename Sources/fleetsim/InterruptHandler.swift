import Dispatch
import Fleet

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM stop the run instead of killing the process, so the partial report
/// is still written; a second Ctrl-C exits at once.
final class InterruptHandler {
    private let sources: [any DispatchSourceSignal]

    init(stop: StopSignal) {
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if stop.isStopped { Glibc.exit(130) }
                Fleetsim.printError("\ninterrupted: stopping, writing the partial report (Ctrl-C again to quit at once)")
                stop.stop()
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func cancel() {
        for source in self.sources { source.cancel() }
    }
}
