/// How a finished `fleetsim run` ends for the shell, from its gates: exit 0 when every check
/// passed, 1 when one failed, 130 when the run was interrupted (whatever the checks said: the
/// partial report is written, and the run is not a verdict on the backend).
public enum RunVerdict: Int32, Sendable, CaseIterable {
    case passed = 0
    case checkFailed = 1
    case interrupted = 130

    public init(gates: [RunReport.Gate], interrupted: Bool) {
        if interrupted {
            self = .interrupted
        } else {
            self = gates.allSatisfy(\.passed) ? .passed : .checkFailed
        }
    }

    /// The process's exit status.
    public var exitStatus: Int32 { self.rawValue }
}
