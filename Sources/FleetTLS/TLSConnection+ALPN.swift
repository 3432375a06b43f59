internal import CWolfSSL

/// ALPN on a session: the backend's choice among what a device offered, and what was negotiated.
/// A connection whose context has no ALPN list makes no ALPN call at all.
extension TLSConnection {
    /// What the select callback answers when it selects nothing (OpenSSL's
    /// `SSL_TLSEXT_ERR_NOACK`; wolfSSL only tells 0, "selected", from anything else).
    static let alpnNotSelected: Int32 = 3

    /// Server side, from wolfSSL's ALPN select callback (installed only on a context with an ALPN
    /// list, and called only when the device offered ALPN): selects the first of the backend's
    /// names that the device offered, pointing `selected` into `offered`, which wolfSSL copies.
    ///
    /// With no name in common, RFC 7301 §3.2 asks for a fatal `no_application_protocol`. wolfSSL
    /// 5.5.4 sends it itself when the callback declines and the session has an ALPN list of its
    /// own (set with `WOLFSSL_ALPN_FAILED_ON_MISMATCH`): the list is set only then, so a device
    /// that matches costs the backend no copy of it.
    func selectALPN(
        offered: UnsafeRawBufferPointer,
        selected: UnsafeMutablePointer<UnsafePointer<UInt8>?>,
        selectedLength: UnsafeMutablePointer<UInt8>
    ) -> Int32 {
        guard let alpn = self.alpn, let base = offered.baseAddress else { return Self.alpnNotSelected }
        guard let range = ALPNWireList.firstMatch(of: alpn.names, in: offered) else {
            _ = alpn.use(on: self.ssl)
            return Self.alpnNotSelected
        }
        selected.pointee = base.assumingMemoryBound(to: UInt8.self) + range.lowerBound
        selectedLength.pointee = UInt8(range.count)
        return 0
    }

    /// The protocol ALPN negotiated; nil when none was, or when this side has no ALPN list (then
    /// without asking wolfSSL). wolfSSL answers "none" as `WOLFSSL_ALPN_NOT_FOUND` (-9), or as
    /// -1 when its list was set with `WOLFSSL_ALPN_FAILED_ON_MISMATCH`: anything but success is none.
    /// The key-exchange group, as wolfSSL names it (a static C string; nil without one).
    var negotiatedGroup: String? {
        wolfSSL_get_curve_name(self.ssl).map { String(cString: $0) }
    }

    var negotiatedALPN: String? {
        guard self.alpn != nil else { return nil }
        var name: UnsafeMutablePointer<CChar>?
        var length: UInt16 = 0
        guard wolfSSL_ALPN_GetProtocol(self.ssl, &name, &length) == Int32(WOLFSSL_SUCCESS), let name, length > 0
        else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: name, count: Int(length)), as: UTF8.self)
    }
}
