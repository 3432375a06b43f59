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
