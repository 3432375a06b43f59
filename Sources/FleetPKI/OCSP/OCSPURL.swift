/// The URL of an OCSP responder, as certificates carry it in their Authority Information Access
/// extension: `http://HOST[:PORT][/PATH]`.
///
/// Only plain `http://`: OCSP runs over HTTP (RFC 6960 Appendix A) — the response is signed, and
/// a relying party fetching it over TLS would need to check the status of the responder's own
/// TLS certificate first. No query or fragment either: a GET request appends the base64 request
/// to the path. Checked when the URL is given, because a bad one would be signed into every
/// certificate issued afterwards.
public struct OCSPURL: Sendable, Hashable, CustomStringConvertible {
    /// The URL as given, with the scheme in lower case.
    public let text: String
    public let host: String
    /// The port, 80 when none is given.
    public let port: Int
    /// The path, `/` when none is given.
    public let path: String

    public var description: String { self.text }

    /// Why a text is not an OCSP URL; the message is for a person.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Parses and checks `text`.
    ///
    /// - Throws: ``Problem`` saying what is wrong: another scheme (https included), no host, a bad
    ///   port, a query, fragment, user info, spaces or control characters.
    public init(_ text: String) throws(Problem) {
        guard text.count <= 2048 else { throw Problem(description: "is longer than 2048 characters") }
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw Problem(description: "holds a space, a control or a non-ASCII character")
        }
        guard let schemeEnd = text.range(of: "://") else {
            throw Problem(description: "must start with http:// (e.g. http://ocsp.fleet.example:8080/)")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" else {
            throw Problem(
                description: "must be an http:// URL, not \(scheme)://: OCSP is plain HTTP (RFC 6960 Appendix A)"
            )
        }
        let rest = text[schemeEnd.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else {
            throw Problem(description: "must not have a query or a fragment: GET requests append to the path")
        }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard !authority.contains("@") else { throw Problem(description: "must not carry user info (user@)") }
        let (host, port) = try Self.split(authority)
        self.text = "http://" + rest
        self.host = host
        self.port = port
        self.path = path.isEmpty ? "/" : String(path)
    }

    private static func split(_ authority: Substring) throws(Problem) -> (String, Int) {
        var host = authority
        var port = 80
        let portStart: Substring.Index?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw Problem(description: "has an IPv6 address without its closing ]")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else {
                throw Problem(description: "has text after the IPv6 address that is not :PORT")
            }
            portStart = after.isEmpty ? nil : after.startIndex
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw Problem(description: "has an IPv6 address that is not one")
            }
        } else {
            portStart = authority.firstIndex(of: ":")
            if let portStart { host = authority[..<portStart] }
            let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == ".") }
            guard !host.isEmpty, host.allSatisfy(allowed), !host.hasPrefix("-"), !host.hasPrefix(".") else {
                throw Problem(description: "needs a host name or IP address after http://")
            }
        }
        if let portStart {
            let digits = authority[authority.index(after: portStart)...]
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(digits),
                (1...65535).contains(value)
            else { throw Problem(description: "has a port that is not 1–65535") }
            port = value
        }
        return (String(host), port)
    }
}
