/// Everything a TLS context is built from, as a value: trust, revocation, versions, groups, suites
/// and the role's own identity (servers only; devices bring theirs per connection).
///
/// One configuration builds one shared, immutable ``TLSContext`` that serves thousands of
/// connections, which is why per-device identities are *not* part of it.
public struct TLSConfiguration: Sendable {
    public enum Role: Sendable {
        case client
        case server
    }

    public var role: Role
    /// PEM trust anchors: what a device trusts to sign the server, or what a server trusts to sign devices.
    public var trustRootsPEM: String
    /// PEM CRLs checked against the peer's chain, one CRL per element (wolfSSL loads the first CRL
    /// of a buffer only). Each issuer must be among the trusted certificates.
    public var crlPEMs: [String]
    public var minimumVersion: TLSVersion
    public var maximumVersion: TLSVersion
    /// Key-exchange groups in order of preference.
    public var groups: [TLSGroup]
    /// A wolfSSL cipher list (OpenSSL-style names, `:`-separated); nil = ``defaultCipherSuites``.
    /// An explicit list is taken as given: that is how a profile asks for a constrained device's
    /// AES-128-CCM-8, or deliberately for a weak suite.
    public var cipherSuites: String?
    /// Verify the peer's certificate chain. On by default: wolfSSL's client does **not** verify the
    /// server unless told to, which is a silent hole we refuse to inherit.
    public var verifyPeer: Bool
    /// Servers only: require a client certificate (mutual TLS).
    public var requireClientCertificate: Bool
    /// Servers only: the server's own certificate chain and key.
    public var serverIdentity: DeviceIdentity?
    /// Servers only: the backend's own policy on each device's leaf certificate.
    public var peerCheck: PeerCertificateCheck?
    /// Clients only: ask the server for records of at most this many bytes (RFC 6066 max fragment
    /// length: 512, 1024, 2048 or 4096), as devices with little RAM do. nil = no limit asked.
    public var maxFragmentLength: Int?
    /// Clients only: offer TLS 1.2 session tickets (RFC 5077). Off, a TLS 1.2 device resumes by
    /// session id only. TLS 1.3 always resumes by ticket.
    public var sessionTickets: Bool
    /// ALPN (RFC 7301); nil = none, and then no ALPN work per connection. Clients: the protocols
    /// offered, most preferred first; the server chooses, and a server that chooses none lets the
    /// handshake proceed. Servers: the protocols accepted, most preferred first: the first that
    /// the device offered is selected (server preference); a device that offers ALPN but none of
    /// these gets a fatal `no_application_protocol` (RFC 7301 §3.2); one that offers none gets none.
    public var alpn: ALPNProtocols?
    /// Clients only: whether the device asks the server for a stapled OCSP response, and whether it
    /// requires one (``OCSPStapling``). Off by default: then nothing OCSP runs per connection.
    public var ocsp: OCSPStapling
    /// Servers only: the OCSP response stapled for the server's certificate to devices that ask
    /// (``ServerStaple``); nil = no stapling, and nothing OCSP runs per connection.
    public var ocspStaple: ServerStaple?

    /// A device-side configuration: verifies the server against `trustRootsPEM`.
    public static func makeClientConfiguration(trustRootsPEM: String) -> TLSConfiguration {
        TLSConfiguration(role: .client, trustRootsPEM: trustRootsPEM)
    }

    /// A backend-side configuration: presents `identity`, requires and verifies client certificates.
    public static func makeServerConfiguration(identity: DeviceIdentity, trustRootsPEM: String) -> TLSConfiguration {
        var configuration = TLSConfiguration(role: .server, trustRootsPEM: trustRootsPEM)
        configuration.serverIdentity = identity
        return configuration
    }

    public init(role: Role, trustRootsPEM: String) {
        self.role = role
        self.trustRootsPEM = trustRootsPEM
        self.crlPEMs = []
        self.minimumVersion = .v1_2
        self.maximumVersion = .v1_3
        self.groups = [.secp256r1, .secp384r1, .x25519]
        self.cipherSuites = nil
        self.verifyPeer = true
        self.requireClientCertificate = true
        self.serverIdentity = nil
        self.peerCheck = nil
        self.maxFragmentLength = nil
        self.sessionTickets = true
        self.alpn = nil
        self.ocsp = .off
        self.ocspStaple = nil
    }

    /// What devices offer (and `serve` accepts) unless told otherwise: the AEAD TLS 1.3 suites,
    /// TLS 1.2 ECDHE with AEAD, and the ECDHE CBC-SHA2/SHA1 suites that cloud IoT hubs still accept.
    /// Never anonymous, NULL, integrity-only, export, RC4, 3DES, PSK or static-RSA suites: wolfSSL's
    /// own default is its whole compiled-in list, anonymous DH and NULL encryption included, and a
    /// device that offers them can "succeed" against a server it never authenticated.
    public static let defaultCipherSuites = [
        "TLS13-AES128-GCM-SHA256", "TLS13-AES256-GCM-SHA384", "TLS13-CHACHA20-POLY1305-SHA256",
        "TLS13-AES128-CCM-SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-CCM", "ECDHE-ECDSA-AES256-CCM",
        "ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384",
        "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA",
    ].joined(separator: ":")

    /// The max fragment lengths RFC 6066 defines, with wolfSSL's codes for them.
    public static let maxFragmentLengths: [Int: UInt8] = [512: 1, 1024: 2, 2048: 3, 4096: 4]

    /// Restricts the context to exactly one version.
    public func only(_ version: TLSVersion) -> TLSConfiguration {
        var copy = self
        copy.minimumVersion = version
        copy.maximumVersion = version
        return copy
    }
}
