import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The simulator's own cost: CPU seconds and memory, so the report says what a handshake cost the
/// load generator (a load generator must be cheaper than the backend it loads).
public struct ProcessUsage: Sendable {
    public let userSeconds: Double
    public let systemSeconds: Double
    /// Peak resident set size so far.
    public let maxRSSBytes: Int
    /// Resident set size now.
    public let rssBytes: Int

    public static func now() -> ProcessUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var resident = 0
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { resident = pages * page }
        }
        return ProcessUsage(
            userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            maxRSSBytes: Int(usage.ru_maxrss) * 1024,
            rssBytes: resident
        )
    }
}
