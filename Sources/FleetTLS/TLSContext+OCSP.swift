internal import CWolfSSL

/// Client role: asking for OCSP staples without ever letting wolfSSL look a status up itself.
extension TLSContext {
    /// Turns on stapling in the context's certificate manager (a session then asks with
    /// `wolfSSL_UseOCSPStapling`, ``TLSConnection``) and, for `must-staple`, wolfSSL's must-staple.
    ///
    /// Deliberately not `wolfSSL_CTX_EnableOCSP`: with it, a server that sends no staple makes
    /// wolfSSL 5.5.4 fetch the status from the certificate's AIA URL over blocking HTTP inside
    /// `wolfSSL_connect` (measured: it calls the OCSP I/O callback, and fails the handshake with
    /// OCSP_INVALID_STATUS when that fails). Without it no lookup happens (measured: the callback
    /// is never called). The refusing callback is installed anyway, so a path that does try one
    /// fails at once instead of blocking the event loop.
    ///
    /// - Throws: ``TLSContextError`` `context-unavailable` when wolfSSL refuses (a build without
    ///   stapling, or out of memory).
    func enableStapling(_ mode: OCSPStapling) throws(TLSContextError) {
        let ctx = self.handle
        var ok = wolfSSL_CTX_EnableOCSPStapling(ctx) == Int32(WOLFSSL_SUCCESS)
        if mode == .mustStaple {
            ok = ok && wolfSSL_CTX_EnableOCSPMustStaple(ctx) == Int32(WOLFSSL_SUCCESS)
        }
        ok = ok && wolfSSL_CTX_SetOCSP_Cb(ctx, fleetsimRefuseOCSPLookup, nil, nil) == Int32(WOLFSSL_SUCCESS)
        guard ok else {
            throw TLSContextError(
                .contextUnavailable,
                "wolfSSL could not enable OCSP stapling (\(mode.rawValue)) on the TLS context"
            )
        }
    }
}

/// wolfSSL's OCSP I/O callback: refuses every lookup at once. A device only judges staples; a
/// blocking HTTP request on an event loop would stall every connection of that loop.
func fleetsimRefuseOCSPLookup(
    _ context: UnsafeMutableRawPointer?,
    _ url: UnsafePointer<CChar>?,
    _ urlLength: Int32,
    _ request: UnsafeMutablePointer<UInt8>?,
    _ requestLength: Int32,
    _ response: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?
) -> Int32 {
    -1
}
