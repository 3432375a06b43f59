import Synchronization

/// Set once to stop a run early (Ctrl-C): no new device starts, in-flight ones get a moment to
/// finish, and the partial report is written.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func stop() { self.flag.store(true, ordering: .relaxed) }
    public var isStopped: Bool { self.flag.load(ordering: .relaxed) }
}
