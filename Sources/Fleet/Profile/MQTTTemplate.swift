import FleetTLS

/// A client id, user name or topic made per device from a template: literals and the placeholders
/// `{id}` (the device's file stem), `{cn}`, `{serialNumber}` and `{san}` (the first SAN URI) of
/// its own certificate. Azure IoT Hub wants `{hub}.azure-devices.net/{id}/?api-version=…` as user
/// name, AWS IoT Core a client id its policy names.
///
/// Parsed once, at load: an unknown placeholder is an error there, and rendering a device's value
/// is concatenation, with no string searching per device.
public struct MQTTTemplate: Sendable, Equatable, CustomStringConvertible {
    enum Part: Sendable, Equatable {
        case literal(String)
        case id, commonName, serialNumber, san
    }

    let parts: [Part]
    /// The template as written.
    public let description: String

    /// The device id alone: the default client id.
    public static let deviceID = try! MQTTTemplate(parsing: "{id}")

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Longest template (and rendered value) accepted: MQTT strings are at most 65,535 bytes, and
    /// a client id or topic of more than a few hundred is a mistake.
    public static let maximumLength = 1024

    public init(parsing text: String) throws(ParseError) {
        guard text.utf8.count <= Self.maximumLength else {
            throw ParseError(description: "is longer than \(Self.maximumLength) bytes")
        }
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw ParseError(description: "has a '{' without a closing '}'")
            }
            let name = rest[rest.index(after: open)..<close]
            switch name {
            case "id": parts.append(.id)
            case "cn": parts.append(.commonName)
            case "serialNumber": parts.append(.serialNumber)
            case "san": parts.append(.san)
            default:
                throw ParseError(
                    description: "has an unknown placeholder {\(name)} (known: {id}, {cn}, {serialNumber}, {san})"
                )
            }
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        self.parts = parts
        self.description = text
    }

    /// Whether rendering needs the device's certificate subject (parsed once per device, only then).
    public var needsCertificate: Bool {
        self.parts.contains { $0 == .commonName || $0 == .serialNumber || $0 == .san }
    }

    /// The device's value; a certificate field the certificate does not have renders empty, and the
    /// server's answer (a refused CONNECT) then says so.
    public func render(id: String, subject: PeerIdentity?) -> String {
        if self.parts.count == 1, self.parts[0] == .id { return id }
        var text = ""
        for part in self.parts {
            switch part {
            case .literal(let literal): text += literal
            case .id: text += id
            case .commonName: text += subject?.commonName ?? ""
            case .serialNumber: text += subject?.serialNumber ?? ""
            case .san: text += subject?.uri ?? ""
            }
        }
        return text
    }
}
