import SwiftASN1
import X509

/// The OCSP nonce (id-pkix-ocsp-nonce, RFC 6960 §4.4.1, RFC 8954): random bytes a client puts in
/// its request so a replayed old response cannot pass for a fresh one; the responder echoes them.
public enum OCSPNonce {
    /// RFC 8954 §2.1: a responder must take nonces of 1…32 octets; a longer one is answered
    /// without a nonce (the client then knows it was not echoed), never copied blindly.
    public static let maximumLength = 32

    /// The nonce extension carrying `bytes` as RFC 8954 encodes them (extnValue = OCTET STRING).
    public static func makeExtension(_ bytes: [UInt8]) throws -> Certificate.Extension {
        var value = DER.Serializer()
        try value.serialize(ASN1OctetString(contentBytes: bytes[...]))
        return Certificate.Extension(oid: .ocspNonce, critical: false, value: value.serializedBytes[...])
    }

    /// The nonce's octets: the OCTET STRING inside extnValue, or extnValue itself from clients
    /// that predate RFC 8954 and send the bytes bare.
    public static func value(of nonce: Certificate.Extension) -> [UInt8] {
        if let node = try? DER.parse(nonce.value), let octets = try? ASN1OctetString(derEncoded: node) {
            return Array(octets.bytes)
        }
        return Array(nonce.value)
    }

    /// Whether a responder echoes `nonce`: 1…``maximumLength`` octets.
    static func isEchoed(_ nonce: Certificate.Extension) -> Bool {
        (1...Self.maximumLength).contains(Self.value(of: nonce).count)
    }
}

extension ASN1ObjectIdentifier {
    /// id-pkix-ocsp-nonce (1.3.6.1.5.5.7.48.1.2).
    public static let ocspNonce: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]
    /// id-pkix-ocsp-basic (1.3.6.1.5.5.7.48.1.1): the one response type there is.
    public static let ocspBasicResponse: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 1]
}
