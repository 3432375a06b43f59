/// The application protocols of ALPN (RFC 7301), in order of preference: what a device offers
/// (`x-amzn-mqtt-ca`, which AWS IoT Core needs for MQTT on port 443; `mqtt`), or what a backend
/// accepts.
///
/// Validated once, where the names are given (`--alpn`, a profile's `tls.alpn`), so a bad name is a
/// usage error that names the flag or key rather than a handshake that fails on every connection.
/// Each name is 1–255 bytes (the wire's length byte) of printable ASCII without spaces or commas
/// (wolfSSL takes the list comma-separated, and a space is almost always a typo in a list), no
/// name twice, at most ``mostNames`` names.
public struct ALPNProtocols: Sendable, Hashable, CustomStringConvertible {
    /// The names, most preferred first.
    public let names: [String]

    /// More names than any device or backend needs; the bound keeps the ClientHello small.
    public static let mostNames = 16

    /// Validates `names`.
    ///
    /// - Throws: ``Invalid`` saying which name is wrong and why.
    public init(_ names: [String]) throws(Invalid) {
        guard !names.isEmpty else { throw Invalid("lists no protocol name") }
        guard names.count <= Self.mostNames else {
            throw Invalid("lists \(names.count) protocol names; at most \(Self.mostNames) are allowed")
        }
        var seen: Set<String> = []
        for name in names {
            let bytes = name.utf8
            guard !bytes.isEmpty else { throw Invalid("has an empty protocol name") }
            guard bytes.count <= 255 else {
                throw Invalid(
                    "has a name of \(bytes.count) bytes ('\(name.prefix(16))…'); a protocol name is at most 255"
                )
            }
            guard bytes.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ",") }) else {
                throw Invalid("has '\(name)', which is not a protocol name: printable ASCII without spaces or commas")
            }
            guard seen.insert(name).inserted else { throw Invalid("names '\(name)' twice") }
        }
        self.names = names
    }

    /// Parses a comma-separated list (`mqtt,x-amzn-mqtt-ca`), as `--alpn` takes it.
    ///
    /// - Throws: ``Invalid``, e.g. for an empty entry (`mqtt,,x`).
    public init(list: String) throws(Invalid) {
        try self.init(list.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
    }

    /// The names comma-separated, as given to `--alpn`.
    public var description: String {
        self.names.joined(separator: ",")
    }

    /// Why a list of protocol names was refused: a phrase the caller prefixes with the flag or key
    /// (`--alpn 'mqtt,,h2' has an empty protocol name`).
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String

        init(_ description: String) {
            self.description = description
        }
    }
}
