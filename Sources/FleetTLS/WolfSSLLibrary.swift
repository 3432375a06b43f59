internal import CWolfSSL

#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide wolfSSL initialisation and facts about the library loaded at run time.
///
/// `wolfSSL_Init` must run once before any context exists; a `static let` makes that lazy and
/// thread-safe without a lock of our own.
public enum WolfSSLLibrary {
    private static let initialized: Bool = {
        wolfSSL_Init() == Int32(WOLFSSL_SUCCESS)
    }()

    /// Initialises wolfSSL if it has not been yet. Returns false if the library refused.
    @discardableResult
    public static func ensureInitialized() -> Bool {
        Self.initialized
    }

    /// The version of the wolfSSL library loaded at run time (not the headers built against).
    public static var version: String {
        String(cString: wolfSSL_lib_version())
    }

    /// wolfSSL's text for a native error code (negative), e.g. -188 → "ASN no signer error to confirm failure".
    static func errorText(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 160)
        wolfSSL_ERR_error_string_n(UInt(bitPattern: Int(code)), &buffer, UInt(buffer.count))
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // The library prefixes "error:<code>:"; keep only the human part.
        if text.hasPrefix("error:"), let colon = text.lastIndex(of: ":") {
            return String(text[text.index(after: colon)...]).trimmingSpaces
        }
        return text
    }

    /// Why `wolfSSL_new` returned nothing, from errno: it opens the system's random source for
    /// every session, so running out of file descriptors shows here before any socket fails.
    static func sessionAllocationFailure() -> String {
        let code = errno
        if code == EMFILE || code == ENFILE {
            return
                "out of file descriptors on the simulator: wolfSSL could not open its random source for a new session (raise `ulimit -n`)"
        }
        return "wolfSSL could not allocate a session (out of memory)"
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop { $0 == " " })
    }

}
