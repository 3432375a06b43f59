internal import CWolfSSL

extension TLSContext {
    /// Server role: issue and accept session tickets with `previous`'s keys, so tickets issued before
    /// a reload (`serve` rebuilding its context for new CRLs) stay valid.
    ///
    /// Measured with Debian's wolfSSL 5.5.4: after a context change, a TLS 1.2 device presenting a
    /// ticket the new context cannot decrypt fails its handshake with unexpected_message (the server
    /// echoes the session id, the device takes it for a resumption) instead of falling back to a
    /// full handshake. Keeping the keys keeps the tickets; whether the device may still come back is
    /// the backend's revocation check on resumed sessions, not an accident of key rotation.
    public func adoptTicketKeys(from previous: TLSContext) {
        let size = Int(fleetsim_ticket_keys_size())
        guard size > 0, self.configuration.role == .server, previous.configuration.role == .server else { return }
        var keys = [UInt8](repeating: 0, count: size)
        defer { for index in keys.indices { keys[index] = 0 } }
        guard wolfSSL_CTX_get_tlsext_ticket_keys(previous.handle, &keys, Int32(size)) == WOLFSSL_SUCCESS else { return }
        _ = wolfSSL_CTX_set_tlsext_ticket_keys(self.handle, &keys, Int32(size))
    }
}
