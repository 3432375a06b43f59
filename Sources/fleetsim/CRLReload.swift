import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// When `serve` reloads its CRLs (or its OCSP staple file): on SIGHUP, and when a file changes (its
/// modification time or size, looked at once a second — `fleetsim pki revoke` replaces the file
/// atomically). Real brokers need a restart to honour a new CRL, and the restart causes a
/// reconnect storm (#15).
final class CRLReload {
    private let signal: any DispatchSourceSignal
    private let watch: Task<Void, Never>

    /// Calls `reload` with why ("SIGHUP", "crl.pem changed") until ``cancel()``.
    init(paths: [String], reload: @escaping @Sendable (String) -> Void) {
        Glibc.signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { reload("SIGHUP") }
        source.resume()
        self.signal = source
        let watching = Task.detached { await CRLReload.watch(paths, reload: reload) }
        self.watch = watching
    }

    /// Looks at the files once a second until cancelled.
    private static func watch(_ paths: [String], reload: @Sendable (String) -> Void) async {
        var seen = paths.map(Self.stamp)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let now = paths.map(Self.stamp)
            if let changed = paths.indices.first(where: { now[$0] != seen[$0] }) {
                seen = now
                reload("\((paths[changed] as NSString).lastPathComponent) changed")
            }
        }
    }

    func cancel() {
        self.signal.cancel()
        self.watch.cancel()
    }

    /// A file's modification time and size; nil while it is missing (a replace in progress).
    static func stamp(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let date = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(date) \(attributes[.size] as? Int ?? -1)"
    }
}
