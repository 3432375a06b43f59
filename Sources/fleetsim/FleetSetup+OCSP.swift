import Fleet
import FleetOCSP
import FleetPKI
import Foundation
import NIOPosix
import X509

/// `run`/`repro --diagnose-ocsp`: after the run, the devices the backend refused are asked about
/// at an OCSP responder, so a refusal by a backend that checks OCSP is explained (`revoked` with
/// the responder's time and reason, `ocsp-unknown`, `ocsp-unavailable`) like one by a CRL.
extension FleetSetup {
    /// At most this many devices are asked about: a refused fleet of 100,000 must not become
    /// 100,000 questions to someone's responder.
    static let maximumOCSPDiagnoses = 1_000

    /// The OCSP findings of the devices of `result` whose outcome a certificate can explain, by id;
    /// 16 questions at a time, each with a 5-second deadline.
    func ocspDiagnoses(
        _ choice: OCSPResponderChoice,
        result: FleetRunner.Result,
        fleet: [FleetDevice]
    ) async -> [String: [LintFinding]] {
        let byID = Dictionary(uniqueKeysWithValues: fleet.map { ($0.id, $0) })
        let issuers = self.sources.deviceTrusted ?? []
        let asked: [(String, Certificate, Certificate?)] = result.state.devices
            .filter {
                DiagnosisRelevance.explains($0.outcome, handshakeCompleted: $0.timings.tlsHandshake != nil)
            }
            .prefix(Self.maximumOCSPDiagnoses)
            .compactMap { report in
                guard let device = byID[report.id],
                    let chain = try? PEMFile.certificates(in: device.chainPEM, source: report.id),
                    let leaf = chain.first
                else { return nil }
                return (report.id, leaf, CertificateIssuer.find(of: leaf, among: Array(chain.dropFirst()) + issuers))
            }
        let lookup = OCSPLookup(client: OCSPClient(group: MultiThreadedEventLoopGroup.singleton))
        return await withTaskGroup(of: (String, [LintFinding]).self) { group in
            var findings: [String: [LintFinding]] = [:]
            var next = asked.makeIterator()
            func start() {
                guard let (id, leaf, issuer) = next.next() else { return }
                group.addTask { (id, await Self.ocspFindings(lookup, choice, leaf: leaf, issuer: issuer)) }
            }
            for _ in 0..<16 { start() }
            while let (id, found) = await group.next() {
                findings[id] = found
                start()
            }
            return findings
        }
    }

    static func ocspFindings(
        _ lookup: OCSPLookup,
        _ choice: OCSPResponderChoice,
        leaf: Certificate,
        issuer: Certificate?
    ) async -> [LintFinding] {
        guard let url = choice.url(for: leaf) else {
            return [
                LintFinding(
                    .ocspUnavailable,
                    .warning,
                    "the certificate names no OCSP responder (no Authority Information Access); give one with --diagnose-ocsp URL"
                )
            ]
        }
        guard let issuer else {
            return [
                LintFinding(
                    .ocspUnavailable,
                    .warning,
                    "could not ask \(url): the issuer '\(leaf.issuer)' is neither in the device's file nor in --device-ca"
                )
            ]
        }
        return CertificateLint.ocspFindings(await lookup.status(of: leaf, issuer: issuer, at: url), responder: url.text)
    }
}
