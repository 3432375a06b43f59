import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes files so that an interrupted run never leaves a half-written key or PEM: the bytes go to
/// a temporary file in the same directory, created with the final mode (0600 for keys, so a key is
/// never readable by others even for an instant), and are renamed over the target.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot write \(self.path): \(self.reason)" }
    }

    /// Writes `bytes` to `path` atomically with permissions `mode`.
    public static func write(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o644) throws {
        let directory = (path as NSString).deletingLastPathComponent
        var template = Array("\(directory.isEmpty ? "." : directory)/.fleetsim-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WriteError(path: path, reason: Self.describe(errno)) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = fchmod(fd, mode) == 0
        let data = Array(bytes)
        var written = 0
        while ok && written < data.count {
            let n = data[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { ok = false } else { written += n }
        }
        let reason = ok ? "" : Self.describe(errno)
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let why = ok ? Self.describe(errno) : reason
            unlink(temporary)
            throw WriteError(path: path, reason: why)
        }
    }

    static func describe(_ code: Int32) -> String {
        strerror(code).map { String(validatingCString: $0) ?? "errno \(code)" } ?? "errno \(code)"
    }

    /// Writes text (UTF-8) atomically.
    public static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try Self.write(Array(text.utf8), to: path, mode: mode)
    }
}
