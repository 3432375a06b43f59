import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Refuses to start with almost no file descriptors left (e.g. inherited from a parent that leaks
/// them): SwiftNIO needs a few for its event loops and cannot run without them. With enough to
/// start, devices beyond the limit end `local-resource` and the run reports.
enum DescriptorBudget {
    static let minimumFree = 32

    /// - Throws: ``InputError`` (exit 2) naming the limit and what to do.
    static func check() throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        let free = Int(limit.rlim_cur) - open
        if free < Self.minimumFree {
            throw InputError(
                .tooFewDescriptors,
                "only \(max(free, 0)) file descriptors are free (\(open) open, limit \(limit.rlim_cur)): raise `ulimit -n`, "
                    + "or close the descriptors the parent process passed on"
            )
        }
    }
}
