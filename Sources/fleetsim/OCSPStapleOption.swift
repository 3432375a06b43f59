import ArgumentParser

/// `serve --ocsp-staple FILE|aia`: staple the server certificate's OCSP status (RFC 6066) to every
/// device that asks, from a file or from the responder its AIA names (#15).
struct OCSPStapleOption: ParsableArguments {
    @Option(
        name: .customLong("ocsp-staple"),
        help: ArgumentHelp(
            "Staple the server certificate's OCSP status to devices that ask (status_request): FILE, a DER OCSP response (openssl ocsp -respout), checked at start and re-read when it changes or on SIGHUP; or aia, fetched from the certificate's AIA OCSP URL before serving and refreshed before its nextUpdate. (default: no stapling)",
            valueName: "file|aia"
        )
    )
    var ocspStaple: String?

    /// `aia`, or a file path; nil when not stapling.
    var source: StapleSource? {
        guard let value = self.ocspStaple else { return nil }
        return value == "aia" ? .aia : .file(value)
    }

    func check() throws {
        if let value = self.ocspStaple, value.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--ocsp-staple needs a DER OCSP response file or 'aia'")
        }
    }
}

/// Where `serve` gets the response it staples.
enum StapleSource: Equatable {
    case file(String)
    case aia
}
