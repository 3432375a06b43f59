internal import CWolfSSL

/// A shared, immutable wolfSSL context for one role, built once from a ``TLSConfiguration``.
///
/// **Thread-safety:** after `init` returns nothing mutates the underlying `WOLFSSL_CTX`; wolfSSL
/// creates sessions from it on any thread (it reference-counts under its own lock). That is what
/// makes it `Sendable` and lets every event loop share one context.
public final class TLSContext: @unchecked Sendable {
    let handle: OpaquePointer
    public let configuration: TLSConfiguration
    /// Whether sessions of this context learn if the server asked for a client certificate (the
    /// certificate-setup callback is installed).
    let observesCertificateRequests: Bool
    /// Client role: the same context without that callback, for devices that present no
    /// certificate. wolfSSL 5.5.4 takes an installed callback in TLS 1.3 as a promise of a
    /// certificate and fails the handshake with BUFFER_ERROR when the session has none.
    let certificateless: TLSContext?
    /// The configuration's ALPN names, prepared once for every session (nil: no ALPN).
    let alpn: ALPNWireList?
    /// Server role: who each session belongs to, for resumed TLS 1.2 sessions (``ResumedPeers``).
    let resumedPeers: ResumedPeers?
    /// Server role: the staple the OCSP I/O callback hands to wolfSSL; owned here so it lives as
    /// long as the context that points at it.
    let staple: ServerStapleBox?
    /// Client role: how the server is verified (peer, or none when asked for).
    var clientVerifyMode: Int32 { Int32(self.configuration.verifyPeer ? WOLFSSL_VERIFY_PEER : WOLFSSL_VERIFY_NONE) }

    /// Builds the context.
    ///
    /// - Throws: ``TLSContextError`` naming what could not be loaded (trust anchors, CRL, server identity,
    ///   cipher list).
    public convenience init(configuration: TLSConfiguration) throws(TLSContextError) {
        let certificateless =
            configuration.role == .client
            ? try TLSContext(configuration: configuration, observing: false, certificateless: nil) : nil
        try self.init(
            configuration: configuration,
            observing: configuration.role == .client,
            certificateless: certificateless
        )
    }

    private init(configuration: TLSConfiguration, observing: Bool, certificateless: TLSContext?) throws(TLSContextError)
    {
        WolfSSLLibrary.ensureInitialized()
        self.configuration = configuration
        self.observesCertificateRequests = observing
        self.certificateless = certificateless
        self.alpn = configuration.alpn.map(ALPNWireList.init)
        // One memory for every server context of the process: a context rebuilt for new CRLs keeps
        // its tickets (``adoptTicketKeys(from:)``), so it must know their devices too.
        self.resumedPeers = configuration.role == .server ? ResumedPeers.shared : nil
        self.staple = configuration.role == .server ? configuration.ocspStaple.map(ServerStapleBox.init) : nil
        let method: OpaquePointer? =
            switch (configuration.role, configuration.minimumVersion, configuration.maximumVersion) {
            case (.client, .v1_2, .v1_2): wolfTLSv1_2_client_method()
            case (.client, .v1_3, .v1_3): wolfTLSv1_3_client_method()
            case (.client, _, _): wolfSSLv23_client_method()
            case (.server, .v1_2, .v1_2): wolfTLSv1_2_server_method()
            case (.server, .v1_3, .v1_3): wolfTLSv1_3_server_method()
            case (.server, _, _): wolfSSLv23_server_method()
            }
        guard let method, let ctx = wolfSSL_CTX_new(method) else {
            throw TLSContextError(.contextUnavailable, "wolfSSL could not create a TLS context (out of memory?)")
        }
        self.handle = ctx
        // From here on `deinit` frees the context if a later step throws.
        try self.configure(configuration)
    }

    deinit {
        wolfSSL_CTX_free(self.handle)
    }

    private func configure(_ configuration: TLSConfiguration) throws(TLSContextError) {
        let ctx = self.handle
        if configuration.minimumVersion < configuration.maximumVersion {
            _ = wolfSSL_CTX_SetMinVersion(ctx, Int32(WOLFSSL_TLSV1_2))
        }
        // Groups: replace wolfSSL's default preference (secp521r1 first) with ours.
        for group in configuration.groups {
            _ = wolfSSL_CTX_UseSupportedCurve(ctx, group.ianaCode)
        }
        let suites = configuration.cipherSuites ?? TLSConfiguration.defaultCipherSuites
        guard wolfSSL_CTX_set_cipher_list(ctx, suites) == Int32(WOLFSSL_SUCCESS) else {
            throw TLSContextError(
                .unsupportedCipherSuites,
                "none of the cipher suites '\(suites)' is supported by this wolfSSL build"
            )
        }
        try self.loadTrust(configuration.trustRootsPEM)
        if !configuration.crlPEMs.isEmpty {
            try self.loadCRLs(configuration.crlPEMs)
        }
        switch configuration.role {
        case .client:
            // wolfSSL's own verdict on the server's chain, with no callback: with one installed,
            // this build turns every certificate of the chain into an `X509` object per handshake
            // (#18). Connections that judge the dates by the device's own clock, or record the
            // chain for `repro`, install the callback on their session (``TLSConnection``).
            wolfSSL_CTX_set_verify(ctx, self.clientVerifyMode, nil)
            // Tells whether the server asked for a client certificate at all (mutual TLS tested).
            if self.observesCertificateRequests {
                wolfSSL_CTX_set_cert_cb(ctx, fleetsimCertificateRequestedCallback, nil)
            }
            if configuration.ocsp != .off {
                try self.enableStapling(configuration.ocsp)
            }
            if let length = configuration.maxFragmentLength {
                guard let code = TLSConfiguration.maxFragmentLengths[length],
                    wolfSSL_CTX_UseMaxFragment(ctx, code) == Int32(WOLFSSL_SUCCESS)
                else {
                    throw TLSContextError(
                        .unsupportedMaxFragmentLength,
                        "max fragment length \(length) is not one of 512, 1024, 2048, 4096"
                    )
                }
            }
        case .server:
            var mode = WOLFSSL_VERIFY_NONE
            if configuration.verifyPeer {
                mode = WOLFSSL_VERIFY_PEER
                if configuration.requireClientCertificate { mode |= WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT }
            }
            // The callback records who the device is (also when it is rejected, for the audit log)
            // and applies the backend's own policy (`peerCheck`) to the leaf.
            wolfSSL_CTX_set_verify(ctx, Int32(mode), fleetsimVerifyCallback)
            // The backend's preference decides among what a device offers (wolfSSL's would be the device's).
            if self.alpn != nil {
                wolfSSL_CTX_set_alpn_select_cb(ctx, fleetsimALPNSelectCallback, nil)
            }
            guard let identity = configuration.serverIdentity else {
                throw TLSContextError(.noServerIdentity, "a server context needs the server's certificate and key")
            }
            try self.useServerIdentity(identity)
            if let staple = self.staple {
                try self.enableServerStapling(staple)
            }
        }
    }

    private func loadTrust(_ pem: String) throws(TLSContextError) {
        let bytes = Array(pem.utf8)
        guard !bytes.isEmpty else {
            throw TLSContextError(
                .emptyCABundle,
                "the CA bundle is empty: give the PEM certificate(s) of the CA that signs the peer"
            )
        }
        let rc = wolfSSL_CTX_load_verify_buffer(self.handle, bytes, bytes.count, Int32(WOLFSSL_FILETYPE_PEM))
        guard rc == Int32(WOLFSSL_SUCCESS) else {
            throw TLSContextError(
                .caBundleUnloadable,
                "the CA bundle could not be loaded (\(WolfSSLLibrary.errorText(rc))): it must hold PEM certificates"
            )
        }
    }

    private func loadCRLs(_ pems: [String]) throws(TLSContextError) {
        guard wolfSSL_CTX_EnableCRL(self.handle, 0) == Int32(WOLFSSL_SUCCESS) else {
            throw TLSContextError(.crlUnsupported, "this wolfSSL build cannot check CRLs")
        }
        for pem in pems {
            let bytes = Array(pem.utf8)
            let rc = wolfSSL_CTX_LoadCRLBuffer(self.handle, bytes, bytes.count, Int32(WOLFSSL_FILETYPE_PEM))
            guard rc == Int32(WOLFSSL_SUCCESS) else {
                throw TLSContextError(
                    .crlUnloadable,
                    "the CRL could not be loaded (\(WolfSSLLibrary.errorText(rc))); its issuer must be one of the trusted CAs"
                )
            }
        }
    }

    private func useServerIdentity(_ identity: DeviceIdentity) throws(TLSContextError) {
        // An encrypted key is named before wolfSSL's generic "could not be loaded".
        do {
            try KeyPairCheck.checkNotEncrypted(identity)
        } catch {
            throw TLSContextError(.keyEncrypted, error.detail)
        }
        let chain = identity.chainPEM
        let key = identity.keyPEM
        guard wolfSSL_CTX_use_certificate_chain_buffer(self.handle, chain, chain.count) == Int32(WOLFSSL_SUCCESS)
        else {
            throw TLSContextError(
                .certificateUnloadable,
                "the server certificate \(identity.label) could not be loaded: it must be PEM"
            )
        }
        guard
            wolfSSL_CTX_use_PrivateKey_buffer(self.handle, key, key.count, Int32(WOLFSSL_FILETYPE_PEM))
                == Int32(WOLFSSL_SUCCESS)
        else {
            throw TLSContextError(
                .keyUnloadable,
                "the server key \(identity.keyLabel) could not be loaded: it must be an unencrypted PEM key"
            )
        }
        do {
            try KeyPairCheck.check(identity)
        } catch {
            throw TLSContextError(.keyMismatch, error.detail)
        }
    }

    /// Checks that a device identity is usable before any network I/O: both parse, and the key
    /// matches the leaf certificate.
    ///
    /// - Returns: the identity, marked validated.
    /// - Throws: ``TLSFailure`` with outcome `identity-invalid` and a detail naming what is wrong.
    @discardableResult
    public func validate(_ identity: DeviceIdentity) throws(TLSFailure) -> DeviceIdentity {
        try KeyPairCheck.checkNotEncrypted(identity)
        // Loaded once, in the form connections will load: the DER when the PEM decodes cleanly.
        var validated = identity.decodedToDER()
        do {
            try self.withBareSession { ssl throws(TLSFailure) in try TLSConnection.load(validated, into: ssl) }
        } catch {
            // The PEM as given is the judge (and its failure the message), never our decoding of it.
            guard validated.der != nil else { throw error }
            validated = identity
            try self.withBareSession { ssl throws(TLSFailure) in try TLSConnection.load(identity, into: ssl) }
        }
        try KeyPairCheck.check(identity)
        validated.isValidated = true
        return validated
    }

    /// Runs `body` with a session of this context that belongs to no connection, freed afterwards.
    func withBareSession<T>(_ body: (OpaquePointer) throws(TLSFailure) -> T) throws(TLSFailure) -> T {
        guard let ssl = wolfSSL_new(self.handle) else {
            throw TLSFailure(.localResource, detail: WolfSSLLibrary.sessionAllocationFailure())
        }
        defer { wolfSSL_free(ssl) }
        return try body(ssl)
    }
}
