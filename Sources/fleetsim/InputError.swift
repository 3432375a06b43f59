import Backend
import Fleet
import FleetPKI
import FleetTLS
import Foundation

/// A file or value the user gave cannot be used: exit 2, printed as one line
/// `fleetsim: error[CODE]: MESSAGE` so scripts and tests match the code, not the wording.
struct InputError: Error {
    /// What could not be used, as a stable identifier (``identifier`` is what `error[…]` shows).
    /// Errors from the layers keep their own code behind a prefix, e.g. `pki:no-such-file`.
    enum Code: Hashable, Sendable {
        /// A certificate, key or PKI file or directory: `pki:<code>`.
        case pki(PKIError.Code)
        /// A `--profile` file: `profile:<code>`.
        case profile(DeviceProfile.LoadError.Code)
        /// The identities folder: `identities:<code>`.
        case identities(IdentityDirectory.LoadError.Code)
        /// An `--expect` file: `expect:<code>`.
        case expectations(Expectations.ParseError.Code)
        /// `report merge` refusing its reports: `merge:<code>`.
        case merge(ReportMerge.Refusal.Code)
        /// `report diff` or `run --baseline` refusing to compare two reports: `diff:<code>`.
        case diff(ReportDiff.Refusal.Code)
        /// A `--max-regression` spec that cannot be used: `max-regression:<code>`.
        case regression(RegressionLimits.ParseError.Code)
        /// The TLS context refusing the CA, CRL, server identity or a setting: `tls:<code>`.
        case tls(TLSContextError.Code)
        /// The `--audit` file: `audit:<code>`.
        case audit(AuditLogError.Code)
        /// `inspect --key`: the file is not a PEM private key.
        case notAKey
        /// A `--crl` file that is not a CRL fleetsim can read.
        case notACRL
        /// `serve --crl`: the CRL's nextUpdate has passed (fail closed).
        case crlExpired
        /// No `<id>.pem` + `<id>.key` pair to run (after `--shard` and `--devices`).
        case noIdentities
        /// `--key-passphrase-env` names a variable that is not set (or is empty).
        case keyPassphraseUnset
        /// The MQTT password's environment variable is unset or empty, or its file cannot be read.
        case mqttPasswordUnavailable
        /// `serve --registry`: JSON that is not a pki's `fleet.json`.
        case badRegistry
        /// `repro`: the device id is not in the identities folder.
        case unknownDevice
        /// `repro`: interrupted before the device had an outcome.
        case noOutcome
        /// A report given to `report merge` cannot be read.
        case unreadableFile
        /// A file given to `report merge` is not a fleetsim JSON report.
        case badReport
        /// A report cannot be written.
        case cannotWrite
        /// `serve --listen` or `--metrics` cannot bind its address.
        case cannotListen
        /// Too few file descriptors are free to start.
        case tooFewDescriptors
        /// `serve --ocsp-staple FILE`: a response that cannot be stapled: `ocsp-staple:<code>`.
        case ocspStaple(ServerStapling.Problem)
        /// `serve --ocsp-staple`: the server certificate's issuer is not a CA of `--ca`.
        case stapleIssuerUntrusted
        /// `serve --ocsp-staple aia`: the server certificate names no http:// OCSP responder.
        case stapleNoAIA
        /// `serve --ocsp-staple aia`: the responder did not answer before serving.
        case stapleUnavailable

        var identifier: String {
            switch self {
            case .pki(let code): "pki:\(code.rawValue)"
            case .profile(let code): "profile:\(code.rawValue)"
            case .identities(let code): "identities:\(code.rawValue)"
            case .expectations(let code): "expect:\(code.rawValue)"
            case .merge(let code): "merge:\(code.rawValue)"
            case .diff(let code): "diff:\(code.rawValue)"
            case .regression(let code): "max-regression:\(code.rawValue)"
            case .tls(let code): "tls:\(code.rawValue)"
            case .audit(let code): "audit:\(code.rawValue)"
            case .notAKey: "not-a-key"
            case .notACRL: "not-a-crl"
            case .crlExpired: "crl-expired"
            case .noIdentities: "no-identities"
            case .keyPassphraseUnset: "key-passphrase-unset"
            case .mqttPasswordUnavailable: "mqtt-password-unavailable"
            case .badRegistry: "bad-registry"
            case .unknownDevice: "unknown-device"
            case .noOutcome: "no-outcome"
            case .unreadableFile: "unreadable-file"
            case .badReport: "bad-report"
            case .cannotWrite: "cannot-write"
            case .cannotListen: "cannot-listen"
            case .tooFewDescriptors: "too-few-descriptors"
            case .ocspStaple(let code): "ocsp-staple:\(code.rawValue)"
            case .stapleIssuerUntrusted: "staple-issuer-untrusted"
            case .stapleNoAIA: "staple-no-aia"
            case .stapleUnavailable: "staple-unavailable"
            }
        }
    }

    let code: Code
    /// The file the error is about, when there is one (the message names it too).
    let path: String?
    /// One sentence for the user, naming the file or value.
    let message: String

    init(_ code: Code, _ message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    init(_ error: PKIError) {
        self.init(.pki(error.code), error.message, path: error.path)
    }

    init(_ error: DeviceProfile.LoadError) {
        self.init(.profile(error.code), error.description, path: error.path)
    }

    init(_ error: IdentityDirectory.LoadError) {
        self.init(.identities(error.code), error.description, path: error.path)
    }

    init(_ error: Expectations.ParseError) {
        self.init(.expectations(error.code), error.description, path: error.path)
    }

    init(_ error: AuditLogError) {
        self.init(.audit(error.code), error.description, path: error.path)
    }

    /// What the CLI prints (after `fleetsim: `): always one line, whatever the message holds.
    var line: String {
        let message = self.message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        return "error[\(self.code.identifier)]: \(message.filter { !$0.isEmpty }.joined(separator: " "))"
    }
}
