internal import CWolfSSL
import FleetCore
import Foundation
import NIOCore
import X509

/// One wolfSSL session (`WOLFSSL*`) and the ciphertext buffers its I/O callbacks read and write.
///
/// wolfSSL never touches a socket: its receive callback copies from ``inbound`` (filled by the
/// channel handler) and its send callback appends to ``outbound`` (drained by the handler after
/// every call). This is how swift-nio-ssl drives BoringSSL, and it keeps wolfSSL on the loop thread.
///
/// **Thread-safety:** not thread-safe; confined to its channel's event loop.
final class TLSConnection {
    enum HandshakeResult {
        case complete
        case wantRead
        case failed(TLSFailure)
    }

    enum ReadResult {
        case data(Int)
        case wantRead
        /// The peer sent close_notify.
        case closed
        case failed(TLSFailure)
    }

    let ssl: OpaquePointer
    let role: TLSConfiguration.Role
    let serverName: String?
    /// Ciphertext received from the network, not yet consumed by wolfSSL.
    var inbound: ByteBuffer
    /// Ciphertext wolfSSL produced, not yet written to the network.
    var outbound: ByteBuffer
    /// Set once the transport has closed: the receive callback then reports CONN_CLOSE instead of WANT_READ.
    var transportClosed = false
    /// Set by the session-ticket callback: a NewSessionTicket arrived (the TLS 1.3 acceptance signal).
    var ticketReceived = false
    /// Client side, set by the certificate-setup callback: the server asked for a client certificate.
    var certificateRequested = false
    /// Whether ``certificateRequested`` is known: the session's context installs the callback.
    let observesCertificateRequests: Bool
    /// Server side, from the verify callback: who the device's leaf says it is (also when rejected).
    var peerLeaf: PeerIdentity?
    /// Server role: the device's leaf certificate, DER.
    var peerLeafDER: [UInt8]?
    /// Server side: one entry per CA certificate the device presented with its leaf (its DER when
    /// the backend checks CRLs itself, else empty).
    var presentedCAs: [[UInt8]] = []
    /// Server side: the verify error wolfSSL reported for the device's chain (OpenSSL numbering).
    var peerVerifyError: Int?
    /// Server side: why the backend's own policy refused the device.
    var policyRejection: String?
    let peerCheck: PeerCertificateCheck?
    /// Client side: the device's own clock, when it differs from real time. The server's certificate
    /// dates are judged by it, as a device without a real-time clock would.
    let clockCheck: DeviceClockCheck?
    /// Client side: why the device's clock made it refuse the server's chain.
    var clockRejection: String?
    /// Client side: the device accepted a certificate only because of its clock (real time says otherwise).
    var clockOverride: String?
    /// Everything visible about this connection, for `repro`; nil in fleet runs.
    let trace: ConnectionTrace?
    let versionRange: (TLSVersion, TLSVersion)
    /// The context's ALPN list: a device offers it; the backend selects from the device's offer by it.
    let alpn: ALPNWireList?
    /// Server role: the context's memory of who each session belongs to.
    let resumedPeers: ResumedPeers?
    /// Client role: whether the device asks for an OCSP staple (and requires one).
    let ocsp: OCSPStapling
    var sentChangeCipherSpec = false
    /// Set once ``releaseIdleMemory()`` ran.
    var idleMemoryReleased = false

    /// Creates a session on `context`, loads `identity` (devices) and sets the server-name check.
    ///
    /// - Throws: ``TLSFailure`` `identity-invalid` if the identity does not load or its key does not
    ///   match; `local-resource` if wolfSSL cannot allocate.
    init(
        context: TLSContext,
        identity: DeviceIdentity?,
        serverName: String?,
        resume: TLSSession? = nil,
        clockCheck: DeviceClockCheck? = nil,
        trace: ConnectionTrace? = nil
    ) throws(TLSFailure) {
        // A device without a certificate uses the context that does not watch for certificate requests.
        let context = identity == nil ? context.certificateless ?? context : context
        guard let ssl = wolfSSL_new(context.handle) else {
            throw TLSFailure(.localResource, detail: WolfSSLLibrary.sessionAllocationFailure())
        }
        self.ssl = ssl
        self.observesCertificateRequests = context.observesCertificateRequests
        self.role = context.configuration.role
        self.serverName = serverName
        self.peerCheck = context.configuration.peerCheck
        self.clockCheck = clockCheck
        self.trace = trace
        self.versionRange = (context.configuration.minimumVersion, context.configuration.maximumVersion)
        self.alpn = context.alpn
        self.resumedPeers = context.resumedPeers
        self.ocsp = context.configuration.role == .client ? context.configuration.ocsp : .off
        // The backend reads the master secret when the handshake completes (``ResumedPeers``):
        // Debian's build keeps the arrays anyway (keying-material export); this makes it explicit.
        if context.resumedPeers != nil { wolfSSL_KeepArrays(ssl) }
        self.inbound = ByteBuffer()
        self.outbound = ByteBuffer()
        if let identity {
            try Self.load(identity, into: ssl)
        }
        if let serverName, self.role == .client {
            // The name check: without it any certificate from the trusted CA would be accepted.
            _ = wolfSSL_check_domain_name(ssl, serverName)
            if Self.isHostName(serverName) {
                _ = wolfSSL_UseSNI(ssl, UInt8(WOLFSSL_SNI_HOST_NAME), serverName, UInt16(serverName.utf8.count))
            }
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        // The verify callback finds its connection here; without it the callback refuses.
        // Every stored property is set, so a throw runs `deinit`, which frees the session (as after
        // `load` above): freeing it here too would free it twice.
        guard wolfSSL_set_ex_data(ssl, Self.exDataSlot, me) == Int32(WOLFSSL_SUCCESS) else {
            throw TLSFailure(.localResource, detail: "wolfSSL could not attach the connection to its session (ex_data)")
        }
        wolfSSL_SSLSetIORecv(ssl, fleetsimReceiveCallback)
        wolfSSL_SSLSetIOSend(ssl, fleetsimSendCallback)
        wolfSSL_SetIOReadCtx(ssl, me)
        wolfSSL_SetIOWriteCtx(ssl, me)
        if self.role == .client {
            if clockCheck != nil || trace != nil {
                // The device's clock judges the server's dates, or `repro` records its chain.
                wolfSSL_set_verify(ssl, context.clientVerifyMode, fleetsimVerifyCallback)
            }
            _ = wolfSSL_set_SessionTicket_cb(ssl, fleetsimSessionTicketCallback, me)
            if context.configuration.sessionTickets {
                _ = wolfSSL_UseSessionTicket(ssl)  // TLS 1.2 resumes by ticket too, as 1.3 does
            }
            if let resume { _ = wolfSSL_set_session(ssl, resume.handle) }
            if let alpn, !alpn.use(on: ssl) {
                throw TLSFailure(.localResource, detail: "wolfSSL could not set the ALPN list of the session")
            }
            if self.ocsp != .off, !Self.askForStaple(on: ssl) {
                throw TLSFailure(.localResource, detail: "wolfSSL could not ask for an OCSP staple (status_request)")
            }
        }
        if trace != nil {
            _ = wolfSSL_set_msg_callback(ssl, fleetsimMessageCallback)
            _ = wolfSSL_set_msg_callback_arg(ssl, me)
        }
    }

    deinit {
        wolfSSL_free(self.ssl)
    }

    /// Whether SNI may carry `name`: a host name, not an IP address (no colon, some letter; any
    /// non-ASCII byte counts as one). Bytes, not Characters: this runs per connection.
    static func isHostName(_ name: String) -> Bool {
        !name.utf8.contains(UInt8(ascii: ":"))
            && name.utf8.contains { $0 >= 0x80 || (0x61...0x7A).contains($0 | 0x20) }
    }

    /// The ex_data slot of every session that holds its `TLSConnection` (unretained), taken once
    /// per process as swift-nio-ssl does for BoringSSL.
    static let exDataSlot: Int32 = wolfSSL_get_ex_new_index(0, nil, nil, nil, nil)

    /// The connection a session belongs to; nil for a session fleetsim did not make (callers fail closed).
    static func owner(of ssl: OpaquePointer) -> TLSConnection? {
        guard Self.exDataSlot >= 0, let pointer = wolfSSL_get_ex_data(ssl, Self.exDataSlot) else { return nil }
        return Unmanaged<TLSConnection>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Loads a certificate chain and key into a session. Whether they belong together is
    /// ``KeyPairCheck``'s job: wolfSSL's own check does not catch a mismatched ECDSA key.
    static func load(_ identity: DeviceIdentity, into ssl: OpaquePointer) throws(TLSFailure) {
        let (chain, key) = identity.der ?? (identity.chainPEM, identity.keyPEM)
        let format = Int32(identity.der == nil ? WOLFSSL_FILETYPE_PEM : WOLFSSL_FILETYPE_ASN1)
        let chainRC = wolfSSL_use_certificate_chain_buffer_format(ssl, chain, chain.count, format)
        guard chainRC == Int32(WOLFSSL_SUCCESS) else {
            throw TLSFailure(
                .identityInvalid,
                detail: "\(identity.label): the certificate file holds no usable certificate",
                nativeCode: chainRC,
                nativeText: WolfSSLLibrary.errorText(chainRC)
            )
        }
        let keyRC = wolfSSL_use_PrivateKey_buffer(ssl, key, key.count, format)
        guard keyRC == Int32(WOLFSSL_SUCCESS) else {
            throw TLSFailure(
                .identityInvalid,
                detail: "\(identity.keyLabel): the key file holds no usable private key",
                nativeCode: keyRC,
                nativeText: WolfSSLLibrary.errorText(keyRC)
            )
        }
    }

    // MARK: - Steps driven by the handler

    /// One step of `wolfSSL_connect` / `wolfSSL_accept` over whatever ciphertext has arrived.
    func handshake() -> HandshakeResult {
        let rc = self.role == .client ? wolfSSL_connect(self.ssl) : wolfSSL_accept(self.ssl)
        if rc == Int32(WOLFSSL_SUCCESS) { return .complete }
        let error = wolfSSL_get_error(self.ssl, rc)
        if error == Int32(WOLFSSL_ERROR_WANT_READ) || error == Int32(WOLFSSL_ERROR_WANT_WRITE) {
            return .wantRead
        }
        return .failed(self.failure(nativeCode: error, phase: .handshake))
    }

    /// Decrypts at most `buffer`'s writable capacity of plaintext.
    func read(into buffer: inout ByteBuffer) -> ReadResult {
        var rc: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 4096) { raw -> Int in
            rc = wolfSSL_read(self.ssl, raw.baseAddress, Int32(clamping: raw.count))
            return max(Int(rc), 0)
        }
        if rc > 0 { return .data(Int(rc)) }
        let error = wolfSSL_get_error(self.ssl, rc)
        switch error {
        case Int32(WOLFSSL_ERROR_WANT_READ), Int32(WOLFSSL_ERROR_WANT_WRITE): return .wantRead
        case Int32(WOLFSSL_ERROR_ZERO_RETURN): return .closed
        default: return .failed(self.failure(nativeCode: error, phase: .afterHandshake))
        }
    }

    /// Encrypts `plaintext` into ``outbound``.
    func write(_ plaintext: ByteBuffer) -> TLSFailure? {
        var remaining = plaintext
        while remaining.readableBytes > 0 {
            let rc = remaining.withUnsafeReadableBytes { raw in
                wolfSSL_write(self.ssl, raw.baseAddress, Int32(clamping: raw.count))
            }
            if rc <= 0 {
                let error = wolfSSL_get_error(self.ssl, rc)
                return self.failure(nativeCode: error, phase: .afterHandshake)
            }
            remaining.moveReaderIndex(forwardBy: Int(rc))
        }
        return nil
    }

    /// Queues close_notify into ``outbound``.
    func shutdown() {
        _ = wolfSSL_shutdown(self.ssl)
    }

    // MARK: - Facts about the session

    var negotiatedVersion: TLSVersion? {
        wolfSSL_get_version(self.ssl).flatMap { TLSVersion(wolfSSLName: String(cString: $0)) }
    }

    var cipherSuite: String? {
        wolfSSL_get_cipher_name(self.ssl).map { String(cString: $0) }
    }

    var sessionResumed: Bool {
        wolfSSL_session_reused(self.ssl) == 1
    }

    /// A resumable copy of this connection's session (owned by the returned value).
    func resumableSession() -> TLSSession? {
        wolfSSL_get1_session(self.ssl).map(TLSSession.init(handle:))
    }

    /// The peer's leaf certificate subject CN and serialNumber attribute, if the peer sent one.
    var peerIdentity: PeerIdentity? {
        if let peerLeaf { return peerLeaf }
        guard let x509 = wolfSSL_get_peer_certificate(self.ssl) else { return nil }
        defer { wolfSSL_X509_free(x509) }  // an owned copy: ~24 KB leaks per call otherwise
        return PeerIdentity(x509: x509)
    }

    /// The backend's view of who the device is once the handshake is done, and its leaf (DER): from
    /// its certificate on a full handshake (remembered for resumption), else from the session it
    /// resumed.
    func serverSidePeer() -> ResumedPeers.Peer? {
        if self.sessionResumed {
            if let remembered = self.resumedPeers?.peer(for: self.ssl) { return remembered }
            // Session-id resumption from wolfSSL's cache, which keeps the chain; the leaf is taken
            // from it so a revocation since can be checked.
            guard let x509 = wolfSSL_get_peer_certificate(self.ssl) else { return nil }
            defer { wolfSSL_X509_free(x509) }
            return ResumedPeers.Peer(identity: PeerIdentity(x509: x509), leaf: Self.der(x509))
        }
        guard let identity = self.peerIdentity else { return nil }
        let peer = ResumedPeers.Peer(identity: identity, leaf: self.peerLeafDER)
        self.resumedPeers?.remember(peer, for: self.ssl)
        return peer
    }

    /// Appends ciphertext from the network. Takes the buffer as is when nothing is pending (no copy).
    func receive(_ bytes: ByteBuffer) {
        if self.inbound.readableBytes == 0 {
            self.inbound = bytes
        } else {
            var bytes = bytes
            self.inbound.writeBuffer(&bytes)
        }
    }

    // MARK: - Called from the C callbacks

    func receive(into destination: UnsafeMutablePointer<CChar>, size: Int) -> Int32 {
        let available = self.inbound.readableBytes
        guard available > 0 else {
            return self.transportClosed
                ? WOLFSSL_CBIO_ERR_CONN_CLOSE.rawValue : WOLFSSL_CBIO_ERR_WANT_READ.rawValue
        }
        let count = min(available, size)
        self.inbound.withUnsafeReadableBytes { raw in
            UnsafeMutableRawPointer(destination).copyMemory(from: raw.baseAddress!, byteCount: count)
        }
        self.inbound.moveReaderIndex(forwardBy: count)
        if self.inbound.readableBytes == 0 {
            self.inbound = ByteBuffer()  // release the read buffer: idle held devices keep none
        }
        return Int32(count)
    }

    func send(from source: UnsafePointer<CChar>, size: Int) -> Int32 {
        self.outbound.writeBytes(UnsafeRawBufferPointer(start: source, count: size))
        return Int32(size)
    }
}

@available(*, unavailable)
extension TLSConnection: Sendable {}
