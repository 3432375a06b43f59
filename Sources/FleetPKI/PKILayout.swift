/// Where each file of a fleetsim PKI lives (DESIGN.md §4). One place names them, so the CLI,
/// `serve` and `run --dir` agree.
public struct PKILayout: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var rootCertificate: String { self.path("root.pem") }
    public var rootKey: String { self.path("root.key") }
    public var intermediateCertificate: String { self.path("intermediate.pem") }
    public var intermediateKey: String { self.path("intermediate.key") }
    /// Root then intermediate: what a backend trusts (wolfSSL needs the intermediate to load the CRL).
    public var caChain: String { self.path("ca-chain.pem") }
    /// Server leaf then intermediate.
    public var serverCertificate: String { self.path("server.pem") }
    public var serverKey: String { self.path("server.key") }
    /// Every CRL of the PKI: the issuing CA's first, then those of the other issuing CAs `pki issue`
    /// made (e.g. the legacy RSA CA of `sha1` devices), so every device's issuer has a CRL.
    public var crl: String { self.path("crl.pem") }
    /// The CRLs of the issuing CAs whose keys are not kept (signed once, for the devices' lifetime);
    /// `crl.pem` is re-written from the issuing CA's CRL and these.
    public var otherCRLs: String { self.path("crl-others.pem") }
    /// The delegated OCSP responder (`pki ocsp --signer delegated`): its certificate then the
    /// issuing CA, and its key (0600); made on first use.
    public var ocspResponderCertificate: String { self.path("ocsp-responder.pem") }
    public var ocspResponderKey: String { self.path("ocsp-responder.key") }
    public var devices: String { self.path("devices") }
    public var manifest: String { self.path("fleet.json") }

    public func deviceCertificate(_ id: String) -> String { "\(self.devices)/\(id).pem" }
    public func deviceKey(_ id: String) -> String { "\(self.devices)/\(id).key" }
    /// Where `pki verification-cert` writes by default: beside the CAs, not among the devices.
    public func verificationCertificate(_ code: VerificationCode) -> String {
        self.path("verification-\(code.fileNameComponent).pem")
    }

    private func path(_ name: String) -> String {
        self.directory.hasSuffix("/") ? self.directory + name : "\(self.directory)/\(name)"
    }
}
