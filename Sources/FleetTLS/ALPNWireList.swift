internal import CWolfSSL

/// A context's ALPN names prepared once for wolfSSL, so that a connection pays no conversion or
/// Swift allocation for them: the comma-separated C string `wolfSSL_UseALPN` takes, and each
/// name's bytes for the backend's choice among what a device offered.
///
/// **Thread-safety:** immutable after `init`; wolfSSL only reads the C string (it copies it into
/// the session), so one value serves the connections of every event loop.
final class ALPNWireList: @unchecked Sendable {
    let protocols: ALPNProtocols
    /// Each name's bytes, most preferred first.
    let names: [[UInt8]]
    /// `a,b,c` and a NUL. wolfSSL's prototype takes `char*`, though it only reads it.
    private let commaSeparated: UnsafeMutablePointer<CChar>
    private let commaSeparatedLength: UInt32

    init(_ protocols: ALPNProtocols) {
        self.protocols = protocols
        self.names = protocols.names.map { Array($0.utf8) }
        let text = Array(protocols.description.utf8CString)
        self.commaSeparated = .allocate(capacity: text.count)
        self.commaSeparated.initialize(from: text, count: text.count)
        self.commaSeparatedLength = UInt32(text.count - 1)
    }

    deinit {
        self.commaSeparated.deallocate()
    }

    /// Sets the list on a session: a device offers it in its ClientHello; on the backend it is
    /// what wolfSSL matches the device's offer against when the select callback declined.
    ///
    /// `WOLFSSL_ALPN_FAILED_ON_MISMATCH`, measured with wolfSSL 5.5.4: a server with no name in
    /// common sends a fatal `no_application_protocol` (120) and fails with -405, as RFC 7301 §3.2
    /// asks (`CONTINUE_ON_MISMATCH` completes the handshake without ALPN); a client refuses a
    /// server that selects a name it never offered. A server that selects nothing is never a
    /// mismatch: the handshake proceeds without ALPN either way.
    ///
    /// - Returns: false if wolfSSL could not allocate its copy.
    func use(on ssl: OpaquePointer) -> Bool {
        wolfSSL_UseALPN(ssl, self.commaSeparated, self.commaSeparatedLength, UInt8(WOLFSSL_ALPN_FAILED_ON_MISMATCH))
            == Int32(WOLFSSL_SUCCESS)
    }

    /// The backend's choice: the first of `preferred` that the device offered (server
    /// preference), as its byte range in `offered`, the ClientHello's list (a length byte, then
    /// the name, repeated). nil when none is offered or the list is malformed.
    ///
    /// wolfSSL's own choice is the device's first name that the server knows (client
    /// preference, measured); a backend decides by its own order, as OpenSSL-based brokers do.
    static func firstMatch(of preferred: [[UInt8]], in offered: UnsafeRawBufferPointer) -> Range<Int>? {
        for name in preferred {
            var index = 0
            while index < offered.count {
                let length = Int(offered[index])
                let start = index + 1
                guard length > 0, start + length <= offered.count else { return nil }
                if length == name.count && offered[start..<start + length].elementsEqual(name) {
                    return start..<start + length
                }
                index = start + length
            }
        }
        return nil
    }
}
