import SwiftASN1
import X509

/// Prints distinguished names the way OpenSSL does (`O = fleetsim, CN = tcu-00001, serialNumber = …`):
/// in encoding order and with attribute names, which is what users compare against `openssl x509`.
/// swift-certificates' own description reverses the order and prints serialNumber as `2.5.4.5`.
public enum DistinguishedNameText {
    static let names: [ASN1ObjectIdentifier: String] = [
        .RDNAttributeType.countryName: "C",
        .RDNAttributeType.stateOrProvinceName: "ST",
        .RDNAttributeType.localityName: "L",
        .RDNAttributeType.organizationName: "O",
        .RDNAttributeType.organizationalUnitName: "OU",
        .RDNAttributeType.commonName: "CN",
        .RDNAttributeType.serialNumber: "serialNumber",
        .RDNAttributeType.domainComponent: "DC",
        .RDNAttributeType.emailAddress: "emailAddress",
    ]

    public static func format(_ name: DistinguishedName) -> String {
        name.flatMap { rdn in
            rdn.map { attribute in
                let key = Self.names[attribute.type] ?? attribute.type.description
                let value = String(attribute.value) ?? attribute.value.description
                return "\(key) = \(value)"
            }
        }.joined(separator: ", ")
    }
}
