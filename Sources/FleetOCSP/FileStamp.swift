#if canImport(Glibc)
    import Glibc
#endif

/// Which version of a file is on disk: device, inode, size and modification time.
///
/// `pki revoke` replaces `fleet.json` by renaming a new file over it, so the inode changes even
/// when two writes fall in the same timestamp tick; one `stat` per request (about a microsecond)
/// is how the responder notices a revocation without a restart.
struct FileStamp: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let seconds: Int
    let nanoseconds: Int

    /// The stamp of `path` now; nil when it cannot be stat'ed (missing, no permission).
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
        self.size = Int64(info.st_size)
        self.seconds = Int(info.st_mtim.tv_sec)
        self.nanoseconds = Int(info.st_mtim.tv_nsec)
    }
}
