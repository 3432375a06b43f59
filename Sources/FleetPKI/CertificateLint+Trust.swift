import Foundation
import SwiftASN1
import X509

/// The lint's view of trust: the chain up to a trusted CA (issuer missing, self-signed, a CA as a
/// leaf) and revocation by the CRL of the leaf's issuer.
extension CertificateLint {
    func checkChain(_ chain: [Certificate]) -> [LintFinding] {
        let leaf = chain[0]
        if Self.isSelfSigned(leaf) {
            let trustedDirectly = self.trusted?.contains(leaf) ?? false
            return trustedDirectly
                ? []
                : [
                    LintFinding(
                        .selfSigned,
                        .error,
                        "the certificate is self-signed: no CA vouches for it, so a backend that trusts its CA only refuses it (OpenSSL-based backends answer unknown_ca, 48)"
                    )
                ]
        }
        guard let trusted = self.trusted else {
            if chain.count == 1 {
                return [
                    LintFinding(
                        .incompleteChain,
                        .warning,
                        "the file holds only the leaf: a device must also present its issuing CA ('\(Self.dn(leaf.issuer))') unless the backend has it"
                    ),
                    LintFinding(nil, .info, "no CA given (--ca): the chain's trust was not checked"),
                ]
            }
            return [LintFinding(nil, .info, "no CA given (--ca): the chain's trust was not checked")]
        }
        var current = leaf
        var presented = Array(chain.dropFirst())
        for _ in 0..<8 {
            if let anchor = trusted.first(where: { $0.subject == current.issuer && Self.isSelfSigned($0) }) {
                return anchor.publicKey.isValidSignature(current.signature, for: current)
                    ? []
                    : [
                        LintFinding(
                            .untrustedIssuer,
                            .error,
                            "'\(Self.dn(current.subject))' claims to be issued by the trusted '\(Self.dn(anchor.subject))', but the signature does not verify"
                        )
                    ]
            }
            if let index = presented.firstIndex(where: { $0.subject == current.issuer }) {
                let issuer = presented.remove(at: index)
                guard issuer.publicKey.isValidSignature(current.signature, for: current) else {
                    return [
                        LintFinding(
                            .untrustedIssuer,
                            .error,
                            "the signature on '\(Self.dn(current.subject))' does not verify with its issuer '\(Self.dn(issuer.subject))'"
                        )
                    ]
                }
                current = issuer
                continue
            }
            if trusted.contains(where: { $0.subject == current.issuer }) {
                return [
                    LintFinding(
                        .incompleteChain,
                        .error,
                        "the device's file does not include its issuing CA '\(Self.dn(current.issuer))': a backend that trusts only the "
                            + "root cannot build the chain and OpenSSL-based backends answer unknown_ca (48); put the intermediate after the leaf"
                    )
                ]
            }
            if chain.count == 1 {
                return [
                    LintFinding(
                        .incompleteChain,
                        .error,
                        "the file holds only the leaf, issued by '\(Self.dn(current.issuer))', which is not among the given CAs either: the "
                            + "intermediate is missing, or the device comes from another CA; OpenSSL-based backends answer unknown_ca (48)"
                    )
                ]
            }
            return [
                LintFinding(
                    .untrustedIssuer,
                    .error,
                    "the chain ends at '\(Self.dn(current.issuer))', which is not among the trusted CAs: the device was issued by another "
                        + "CA; OpenSSL-based backends answer unknown_ca (48)"
                )
            ]
        }
        return [LintFinding(.untrustedIssuer, .error, "the chain is longer than 8 certificates")]
    }

    func checkRevocation(_ leaf: Certificate) -> [LintFinding] {
        // The CRL of the leaf's issuer; with none, the first one says why revocation was not checked.
        guard let crl = self.crls.first(where: { $0.issuer == leaf.issuer }) ?? self.crls.first else { return [] }
        var findings: [LintFinding] = []
        if let entry = crl.entries.first(where: { $0.serial == Array(leaf.serialNumber.bytes) }),
            crl.issuer == leaf.issuer
        {
            let number = crl.number.map { " #\($0)" } ?? ""
            findings.append(
                LintFinding(
                    .revoked,
                    .error,
                    "the certificate (serial \(CertificateFacts.serialHex(leaf))) was revoked on \(Self.day(entry.revocationDate)) "
                        + "by the CRL\(number) of '\(Self.dn(crl.issuer))'; a backend that loads the CRL answers certificate_revoked (44)"
                )
            )
        } else if crl.issuer != leaf.issuer {
            findings.append(
                LintFinding(
                    nil,
                    .info,
                    "the CRL is from '\(Self.dn(crl.issuer))', not this certificate's issuer: revocation not checked"
                )
            )
        }
        if let next = crl.nextUpdate, next < self.clock {
            findings.append(
                LintFinding(
                    nil,
                    .warning,
                    "the CRL's nextUpdate (\(Self.day(next))) has passed: backends that fail closed reject every device"
                )
            )
        }
        return findings
    }
}
