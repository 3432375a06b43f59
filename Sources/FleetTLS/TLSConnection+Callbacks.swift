internal import CWolfSSL

// Top-level, non-capturing C callbacks. They go straight back into Swift through the `void*`
// context (an unretained `TLSConnection`). A capturing closure here would crash the Swift 6.3
// compiler (signal 6), so keep them free functions.

/// wolfSSL wants ciphertext: hand it what the handler has buffered.
func fleetsimReceiveCallback(
    _ ssl: OpaquePointer?,
    _ buffer: UnsafeMutablePointer<CChar>?,
    _ size: Int32,
    _ context: UnsafeMutableRawPointer?
) -> Int32 {
    guard let context, let buffer, size > 0 else { return WOLFSSL_CBIO_ERR_GENERAL.rawValue }
    return Unmanaged<TLSConnection>.fromOpaque(context).takeUnretainedValue().receive(into: buffer, size: Int(size))
}

/// wolfSSL produced ciphertext: append it to the outbound buffer (never WANT_WRITE).
func fleetsimSendCallback(
    _ ssl: OpaquePointer?,
    _ buffer: UnsafeMutablePointer<CChar>?,
    _ size: Int32,
    _ context: UnsafeMutableRawPointer?
) -> Int32 {
    guard let context, let buffer, size >= 0 else { return WOLFSSL_CBIO_ERR_GENERAL.rawValue }
    return Unmanaged<TLSConnection>.fromOpaque(context).takeUnretainedValue().send(from: buffer, size: Int(size))
}

/// A NewSessionTicket arrived: in TLS 1.3 the server sends it only after it accepted the client's certificate.
func fleetsimSessionTicketCallback(
    _ ssl: OpaquePointer?,
    _ ticket: UnsafePointer<UInt8>?,
    _ length: Int32,
    _ context: UnsafeMutableRawPointer?
) -> Int32 {
    guard let context else { return 0 }
    Unmanaged<TLSConnection>.fromOpaque(context).takeUnretainedValue().ticketReceived = true
    return 0
}

/// Called by wolfSSL for every certificate the peer presented (this build defines
/// WOLFSSL_ALWAYS_VERIFY_CB and WOLFSSL_VERIFY_CB_ALL_CERTS), on success and on failure. Server side
/// it applies the backend's policy; device side it applies the device's clock and feeds the trace.
///
/// Fails closed: a certificate whose session or connection cannot be found is refused, so the
/// backend's policy and the device's clock are never skipped.
func fleetsimVerifyCallback(_ preverify: Int32, _ store: UnsafeMutablePointer<WOLFSSL_X509_STORE_CTX>?) -> Int32 {
    guard let store,
        let ssl = wolfSSL_X509_STORE_CTX_get_ex_data(store, wolfSSL_get_ex_data_X509_STORE_CTX_idx()),
        let connection = TLSConnection.owner(of: OpaquePointer(ssl))
    else { return 0 }
    return connection.verify(preverify: preverify, store: store)
}

/// wolfSSL's certificate-setup callback: on the client it runs only when the server asked for a
/// client certificate (TLS 1.2: on its CertificateRequest; TLS 1.3: as the client's Certificate,
/// which follows only a CertificateRequest, is written). Records that mutual TLS was really tested.
/// Never refuses: it only observes.
func fleetsimCertificateRequestedCallback(_ ssl: OpaquePointer?, _ argument: UnsafeMutableRawPointer?) -> Int32 {
    if let ssl, let connection = TLSConnection.owner(of: ssl) {
        connection.certificateRequested = true
    }
    return 1
}

/// A TLS message went out or came in unencrypted (wolfSSL's OpenSSL-style message callback): the
/// trace names it. Installed only on traced connections.
func fleetsimMessageCallback(
    _ written: Int32,
    _ version: Int32,
    _ contentType: Int32,
    _ buffer: UnsafeRawPointer?,
    _ length: Int,
    _ ssl: OpaquePointer?,
    _ context: UnsafeMutableRawPointer?
) {
    guard let context, let buffer, length > 0 else { return }
    Unmanaged<TLSConnection>.fromOpaque(context).takeUnretainedValue()
        .observe(
            sent: written == 1,
            contentType: contentType,
            bytes: UnsafeRawBufferPointer(start: buffer, count: length)
        )
}

/// wolfSSL's ALPN select callback (server side; installed only when the backend has an ALPN list):
/// the backend chooses among the device's offer by its own preference. Declines for a session
/// fleetsim did not make (no ALPN then).
func fleetsimALPNSelectCallback(
    _ ssl: OpaquePointer?,
    _ selected: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    _ selectedLength: UnsafeMutablePointer<UInt8>?,
    _ offered: UnsafePointer<UInt8>?,
    _ offeredLength: UInt32,
    _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let ssl, let selected, let selectedLength, let offered, let connection = TLSConnection.owner(of: ssl)
    else { return TLSConnection.alpnNotSelected }
    return connection.selectALPN(
        offered: UnsafeRawBufferPointer(start: offered, count: Int(offeredLength)),
        selected: selected,
        selectedLength: selectedLength
    )
}
