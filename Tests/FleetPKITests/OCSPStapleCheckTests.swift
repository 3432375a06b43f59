import FleetPKI
import FleetTestSupport
import Foundation
import Testing
import X509

/// `OCSPStapleCheck` on answers of the PKI's own responder: the server certificate's good answer
/// by the issuing CA and by a delegated responder passes; a revoked one only where asked (aia);
/// another certificate's, a stale one and one checked against another issuer are refused by code.
@Suite struct OCSPStapleCheckTests {
    @Test func whatMayBeStapled() async throws {
        let fixture = try await OCSPFixture.make()
        defer { fixture.directory.remove() }
        let issuer = fixture.pki.intermediate.certificate
        let server = try PEMFile.certificates(at: fixture.layout.serverCertificate)[0]
        let revokedDevice = try fixture.certificate("tcu-00002")
        let now = Date()
        for signer in OCSPSignerRole.allCases {
            let responder = try OCSPResponder.load(directory: fixture.layout.directory, signer: signer, validity: 3600)
            let answer = { (certificate: Certificate) in
                responder.answer(
                    try OCSPRequest(certIDs: [try OCSPCertID(certificate: certificate, issuer: issuer)]).derEncoded(),
                    now: now
                ).bytes
            }
            let good = try OCSPStapleCheck.check(try answer(server), certificate: server, issuer: issuer, now: now)
            #expect(good.status == .good, "\(signer)")
            #expect(good.nextUpdate.map { $0 > now } == true)

            let code = {
                (bytes: [UInt8], certificate: Certificate, checkIssuer: Certificate, at: Date) -> OCSPStapleCheck.Code?
                in
                do {
                    _ = try OCSPStapleCheck.check(bytes, certificate: certificate, issuer: checkIssuer, now: at)
                    return nil
                } catch {
                    return (error as? OCSPStapleCheck.Problem)?.code
                }
            }
            let revoked = try answer(revokedDevice)
            #expect(code(revoked, revokedDevice, issuer, now) == .notGood, "\(signer)")
            let stapled = try OCSPStapleCheck.check(
                revoked,
                certificate: revokedDevice,
                issuer: issuer,
                now: now,
                requireGood: false
            )
            #expect(stapled.status.name == "revoked")
            #expect(code(try answer(server), revokedDevice, issuer, now) == .otherCertificate, "\(signer)")
            #expect(code(try answer(server), server, issuer, now.addingTimeInterval(7200)) == .notCurrent)
            #expect(code(Array("garbage".utf8), server, issuer, now) == .notAnOCSPResponse)
            #expect(code(OCSPResponse.error(.tryLater), server, issuer, now) == .unsuccessful)
        }
        // The root's key did not sign it, and the root did not authorise a responder: refused.
        let responder = try OCSPResponder.load(directory: fixture.layout.directory, signer: .issuing, validity: 3600)
        let bytes = responder.answer(
            try OCSPRequest(certIDs: [try OCSPCertID(certificate: server, issuer: issuer)]).derEncoded(),
            now: now
        ).bytes
        var forged = bytes
        forged[forged.count - 5] ^= 0x55
        #expect(throws: OCSPStapleCheck.Problem.self) {
            try OCSPStapleCheck.check(forged, certificate: server, issuer: issuer, now: now)
        }
    }
}
