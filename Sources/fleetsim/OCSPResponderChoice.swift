import ArgumentParser
import FleetOCSP
import FleetPKI
import X509

/// Which OCSP responder to ask about a certificate (`inspect --ocsp`, `serve --device-ocsp`,
/// `run --diagnose-ocsp`): one URL for every certificate, or each certificate's own Authority
/// Information Access URL.
enum OCSPResponderChoice: Sendable, Equatable {
    case url(OCSPURL)
    case aia

    /// Parses a flag's value: `aia`, or an `http://` OCSP URL.
    ///
    /// - Throws: `ValidationError` saying what is wrong with the URL.
    static func parse(_ argument: String) throws -> OCSPResponderChoice {
        if argument == "aia" { return .aia }
        do {
            return .url(try OCSPURL(argument))
        } catch {
            throw ValidationError(
                "'\(argument)': expected aia or an http://HOST[:PORT][/PATH] URL; the URL \(error.description)"
            )
        }
    }

    /// The URL to ask about `certificate`; nil under `aia` when it names none.
    func url(for certificate: Certificate) -> OCSPURL? {
        switch self {
        case .url(let url): url
        case .aia: OCSPLookup.responderURLs(of: certificate).first
        }
    }
}
