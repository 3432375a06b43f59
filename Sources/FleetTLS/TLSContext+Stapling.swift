internal import CWolfSSL
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Server role: stapling the server certificate's OCSP status (RFC 6066 `status_request`, TLS 1.2
/// CertificateStatus and TLS 1.3 Certificate entry extension) from bytes already in memory.
extension TLSContext {
    /// Turns on stapling and installs an OCSP I/O callback that hands over ``ServerStapleBox``'s
    /// bytes: what wolfSSL 5.5.4 would otherwise fetch with a blocking HTTP request from inside
    /// `wolfSSL_accept`. No network I/O ever happens on an event loop.
    ///
    /// Measured with Debian's build (README, "OCSP stapling, server side"): wolfSSL calls the
    /// callback once per context and caches the response until its nextUpdate; it verifies the
    /// response first (signature by a CA of the context's trust store, CertID, dates) and staples
    /// nothing when that fails; it parses the server's own certificate against the trust store for
    /// every ClientHello with status_request, and fails that handshake (-188, no alert) when the
    /// server's issuer is not a trusted CA there — so `serve` refuses to start that way.
    func enableServerStapling(_ box: ServerStapleBox) throws(TLSContextError) {
        let ctx = self.handle
        let context = Unmanaged.passUnretained(box).toOpaque()
        guard wolfSSL_CTX_EnableOCSPStapling(ctx) == Int32(WOLFSSL_SUCCESS),
            wolfSSL_CTX_SetOCSP_Cb(ctx, fleetsimHandOverStaple, fleetsimFreeStaple, context)
                == Int32(WOLFSSL_SUCCESS)
        else {
            throw TLSContextError(.contextUnavailable, "wolfSSL could not enable OCSP stapling on the server context")
        }
    }
}

/// wolfSSL's OCSP I/O callback on the server: a malloc'd copy of the staple (wolfSSL frees it
/// through ``fleetsimFreeStaple``), or -1 once its nextUpdate has passed — then wolfSSL staples
/// nothing instead of a response every device would refuse.
func fleetsimHandOverStaple(
    _ context: UnsafeMutableRawPointer?,
    _ url: UnsafePointer<CChar>?,
    _ urlLength: Int32,
    _ request: UnsafeMutablePointer<UInt8>?,
    _ requestLength: Int32,
    _ response: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?
) -> Int32 {
    guard let context, let response else { return -1 }
    let staple = Unmanaged<ServerStapleBox>.fromOpaque(context).takeUnretainedValue().staple
    guard Date() < staple.nextUpdate, !staple.der.isEmpty, let copy = malloc(staple.der.count) else { return -1 }
    staple.der.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    response.pointee = copy.assumingMemoryBound(to: UInt8.self)
    return Int32(staple.der.count)
}

/// Frees what ``fleetsimHandOverStaple`` gave wolfSSL.
func fleetsimFreeStaple(_ context: UnsafeMutableRawPointer?, _ response: UnsafeMutablePointer<UInt8>?) {
    free(response)
}
