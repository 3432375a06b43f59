internal import CWolfSSL

#if canImport(Glibc)
    import Glibc
#endif

/// What a held device's session gives back once it is idle (#18).
///
/// Measured with a counting allocator on Debian's wolfSSL 5.5.4: a held client session keeps
/// 81 KB (TLS 1.3) to 85 KB (TLS 1.2). Most of it is set by how Debian built the library
/// (SESSION_CERTS, WOLFSSL_ALT_CERT_CHAINS, KEEP_PEER_CERT, OPENSSL_ALL), not by our calls; what
/// the public API can free after the handshake is freed here, and the session object's pages that
/// were never written are handed back to the kernel.
extension TLSConnection {
    /// Client, once the device holds an accepted connection (after the TLS 1.3 tickets arrived):
    /// - `wolfSSL_FreeArrays`: the handshake's secrets and randoms (5.5 KB), kept because Debian
    ///   enables keying-material export, which fleetsim never uses;
    /// - `wolfSSL_certs_clear`: the device's own leaf, kept after the handshake (0.5 KB);
    /// - `wolfSSL_set_client_CA_list(nil)`: the CA names of a TLS 1.2 CertificateRequest (0.3–1.8 KB);
    /// - `wolfSSL_NoKeyShares`: in TLS 1.2, the TLS 1.3 key share the ClientHello offered (4.7 KB);
    /// - the `WOLFSSL_SESSION`'s all-zero pages (two nine-slot copies of the peer's chain, ~30 KB
    ///   never written): `madvise(MADV_DONTNEED)`, after which they read as zeros, as they were.
    ///   The session is this connection's, on this loop; nothing else writes it meanwhile.
    /// Application data, key updates, close_notify and resuming from the session keep working.
    /// Returns the bytes of session pages handed back.
    @discardableResult
    func releaseIdleMemory() -> Int {
        guard self.role == .client, !self.idleMemoryReleased else { return 0 }
        self.idleMemoryReleased = true
        wolfSSL_FreeArrays(self.ssl)
        wolfSSL_certs_clear(self.ssl)
        wolfSSL_set_client_CA_list(self.ssl, nil)
        _ = wolfSSL_NoKeyShares(self.ssl)
        guard let session = wolfSSL_get_session(self.ssl) else { return 0 }
        let start = UnsafeMutableRawPointer(session)
        return ZeroPages.release(start, count: malloc_usable_size(start))
    }
}

/// Hands whole, all-zero pages of a heap block back to the kernel.
enum ZeroPages {
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Releases every page that lies entirely inside `[start, start + count)` and holds only
    /// zeros; returns how many bytes were released. Private anonymous memory reads back as zeros
    /// after `MADV_DONTNEED`, so the block's contents do not change.
    @discardableResult
    static func release(_ start: UnsafeMutableRawPointer, count: Int) -> Int {
        let page = Self.pageSize
        guard page > 0, count >= page else { return 0 }
        let base = UInt(bitPattern: start)
        var address = (base + UInt(page) - 1) & ~UInt(page - 1)
        let end = (base + UInt(count)) & ~UInt(page - 1)
        var released = 0
        while address + UInt(page) <= end {
            let pointer = UnsafeMutableRawPointer(bitPattern: address)!
            if Self.isZero(pointer, count: page), madvise(pointer, page, MADV_DONTNEED) == 0 {
                released += page
            }
            address += UInt(page)
        }
        return released
    }

    /// Reads the bytes untyped (the block belongs to wolfSSL): stops at the first non-zero word.
    static func isZero(_ pointer: UnsafeMutableRawPointer, count: Int) -> Bool {
        let stride = MemoryLayout<UInt>.stride
        var offset = 0
        while offset + stride <= count {
            if pointer.load(fromByteOffset: offset, as: UInt.self) != 0 { return false }
            offset += stride
        }
        return true
    }
}
