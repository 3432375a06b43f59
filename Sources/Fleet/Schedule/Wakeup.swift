import NIOConcurrencyHelpers

/// Lets the run's driver sleep until a device finishes (a concurrency slot frees up) instead of
/// polling: with `--concurrency 1` a 0.5 ms poll alone cost hundreds of µs of CPU per handshake.
/// A signal that arrives before anyone waits is kept, so no wake-up is lost; every wait is bounded.
final class Wakeup: Sendable {
    private enum State {
        case idle
        case pending
        case waiting(CheckedContinuation<Void, Never>)
    }

    private let state = NIOLockedValueBox(State.idle)

    /// Resumes the waiter, or remembers the signal for the next wait.
    func signal() {
        let waiter: CheckedContinuation<Void, Never>? = self.state.withLockedValue { state in
            switch state {
            case .waiting(let continuation):
                state = .idle
                return continuation
            case .idle, .pending:
                state = .pending
                return nil
            }
        }
        waiter?.resume()
    }

    /// Returns at the next signal (or at once if one is pending), or after `seconds`.
    func wait(seconds: Double) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = self.state.withLockedValue { state in
                if case .pending = state {
                    state = .idle
                    return true
                }
                state = .waiting(continuation)
                return false
            }
            if resumeNow { return continuation.resume() }
            Task { [self] in
                try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
                self.signal()
            }
        }
    }
}
