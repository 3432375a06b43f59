import FleetPKI
import FleetTestSupport
import Foundation
import SwiftASN1
import Testing
import X509

/// `OCSPResponder` without HTTP: what it answers for each kind of certificate and each kind of bad
/// request, who signs, and that swift-certificates' own OCSP verifier accepts its answers.
@Suite struct OCSPResponderTests {
    @Test func goodRevokedAndUnknown() async throws {
        let fixture = try await OCSPFixture.make()
        defer { fixture.directory.remove() }
        let other = try TestPKI()
        let stranger = try other.device(.good)
        let responder = try OCSPResponder.load(directory: fixture.layout.directory, signer: .issuing, validity: 3600)
        let server = try PEMFile.certificates(at: fixture.layout.serverCertificate)[0]
        let ids = [
            try fixture.certID("tcu-00001"),
            try fixture.certID("tcu-00002", hash: .sha256),
            // A serial this CA never issued…
            try OCSPCertID(certificate: stranger.certificate, issuer: fixture.pki.intermediate.certificate),
            // …and a CertID for another issuer, with a serial this CA did issue.
            try OCSPCertID(
                certificate: try fixture.certificate("tcu-00003"),
                issuer: other.intermediate.certificate
            ),
            try OCSPCertID(certificate: server, issuer: fixture.pki.intermediate.certificate),
        ]
        let now = Date()
        let answer = responder.answer(try OCSPRequest(certIDs: ids, nonce: Array(1...16)).derEncoded(), now: now)
        let basic = try #require(try OCSPResponse(derEncoded: answer.bytes).basic)

        #expect(basic.responses.map(\.status.name) == ["good", "revoked", "unknown", "unknown", "good"])
        let revocation = try #require(try FleetManifest.load(from: fixture.layout.manifest).revocations.first)
        #expect(
            basic.responses[1].status
                == .revoked(at: Self.wholeSeconds(revocation.date), reason: .keyCompromise)
        )
        #expect(basic.isSigned(by: fixture.pki.intermediate.certificate))
        #expect(basic.isIdentified(as: fixture.pki.intermediate.certificate))
        #expect(basic.certificates.isEmpty, "the CA signs: the client has its certificate")
        #expect(basic.nonce.map(OCSPNonce.value(of:)) == Array(1...16))
        for single in basic.responses {
            #expect(single.thisUpdate <= now && single.thisUpdate >= now.addingTimeInterval(-61))
            #expect(single.nextUpdate == single.thisUpdate.addingTimeInterval(3600))
        }
        #expect(basic.producedAt == Self.wholeSeconds(now))
    }

    @Test func badRequestsGetAnOCSPErrorNeverACrash() async throws {
        let fixture = try await OCSPFixture.make()
        defer { fixture.directory.remove() }
        let responder = try OCSPResponder.load(directory: fixture.layout.directory, signer: .issuing, validity: 3600)
        let good = try OCSPRequest(certIDs: [try fixture.certID("tcu-00001")]).derEncoded()

        var emptyList = DER.Serializer()
        emptyList.appendConstructedNode(identifier: .sequence) { request in
            request.appendConstructedNode(identifier: .sequence) { tbs in
                tbs.appendConstructedNode(identifier: .sequence) { _ in }
            }
        }
        let malformed: [String: [UInt8]] = [
            "nothing": [],
            "garbage": Array("GET / HTTP/1.1\r\n\r\n".utf8),
            "truncated": Array(good.dropLast()),
            "a trailing byte": good + [0],
            "a lying length": [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF],
            "a certificate": Array(try Self.der(fixture.pki.intermediate.certificate)),
            "no CertID": emptyList.serializedBytes,
            "nesting 60 deep": Array(repeating: [0x30, 0x80], count: 60).flatMap { $0 },
        ]
        for (name, bytes) in malformed {
            let answer = responder.answer(bytes)
            #expect(answer.status == .malformedRequest, "\(name)")
            #expect(try OCSPResponse(derEncoded: answer.bytes).status == .malformedRequest, "\(name)")
        }

        let critical = Certificate.Extension(oid: [1, 2, 3, 4], critical: true, value: [0x05, 0x00])
        var request = try OCSPRequest(certIDs: [try fixture.certID("tcu-00001")])
        request.extensions.append(critical)
        #expect(responder.answer(try request.derEncoded()).status == .unauthorized, "an unknown critical extension")

        let many = try OCSPRequest(
            certIDs: Array(repeating: try fixture.certID("tcu-00001"), count: OCSPResponder.maximumCertIDs + 1)
        )
        #expect(responder.answer(try many.derEncoded()).status == .unauthorized, "too many CertIDs at once")

        let longNonce = try OCSPRequest(
            certIDs: [try fixture.certID("tcu-00001")],
            nonce: Array(repeating: 1, count: 33)
        )
        let answer = responder.answer(try longNonce.derEncoded())
        #expect(answer.status == .successful)
        #expect(try OCSPResponse(derEncoded: answer.bytes).basic?.nonce == nil, "a 33-octet nonce is not echoed")
    }

    @Test func aDelegatedResponderIsMadeOnceAndSentAlong() async throws {
        let fixture = try await OCSPFixture.make()
        defer { fixture.directory.remove() }
        let layout = fixture.layout
        #expect(!FileManager.default.fileExists(atPath: layout.ocspResponderCertificate))
        let responder = try OCSPResponder.load(directory: layout.directory, signer: .delegated, validity: 3600)
        let mode = try FileManager.default.attributesOfItem(atPath: layout.ocspResponderKey)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let files = try PEMFile.certificates(at: layout.ocspResponderCertificate)
        #expect(files.count == 2, "the responder, then the issuing CA")
        let certificate = files[0]
        #expect(certificate.issuer == fixture.pki.intermediate.certificate.subject)
        #expect(try certificate.extensions.extendedKeyUsage?.contains(.ocspSigning) == true)
        #expect(certificate.extensions[oid: .ocspNoCheck] != nil)
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)

        let request = try OCSPRequest(certIDs: [try fixture.certID("tcu-00001")])
        let basic = try #require(try OCSPResponse(derEncoded: responder.answer(try request.derEncoded()).bytes).basic)
        #expect(basic.isSigned(by: certificate))
        #expect(!basic.isSigned(by: fixture.pki.intermediate.certificate))
        #expect(basic.isIdentified(as: certificate))
        #expect(basic.certificates == [certificate, fixture.pki.intermediate.certificate])

        let again = try OCSPResponder.load(directory: layout.directory, signer: .delegated, validity: 3600)
        #expect(again.signer.certificate == certificate, "made on first use, then reused")
    }

    /// swift-certificates' `OCSPVerifierPolicy` (its own OCSP parser and checks, nonce included),
    /// asking this responder through a requester that calls it directly.
    @Test(arguments: OCSPSignerRole.allCases)
    func swiftCertificatesVerifierAcceptsTheAnswers(role: OCSPSignerRole) async throws {
        let fixture = try await OCSPFixture.make()
        defer { fixture.directory.remove() }
        let responder = try OCSPResponder.load(directory: fixture.layout.directory, signer: role, validity: 3600)
        let requester = DirectRequester(responder: responder)
        for (id, valid) in [("tcu-00001", true), ("tcu-00002", false)] {
            // RFC5280Policy understands the critical basicConstraints and keyUsage; without it the
            // verifier refuses every chain before OCSP is asked.
            var verifier = Verifier(rootCertificates: CertificateStore([fixture.pki.root.certificate])) {
                RFC5280Policy()
                OCSPVerifierPolicy(failureMode: .hard, requester: requester)
            }
            let result = await verifier.validate(
                leaf: try fixture.certificate(id),
                intermediates: CertificateStore([fixture.pki.intermediate.certificate])
            )
            switch result {
            case .validCertificate: #expect(valid, "\(role): \(id) must not pass")
            case .couldNotValidate(let failures):
                #expect(!valid, "\(role): \(id): \(failures)")
                #expect("\(failures)".contains("revoked"), "refused for its status: \(failures)")
            }
        }
        #expect(requester.uris.count == 2)
        #expect(requester.uris.allSatisfy { $0 == "http://ocsp.fleet.test/" }, "asked at the AIA's URL")
    }

    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.serialize(certificate)
        return coder.serializedBytes
    }
}

/// An `OCSPRequester` that hands the request straight to a responder, recording the URIs asked.
final class DirectRequester: OCSPRequester, @unchecked Sendable {
    let responder: OCSPResponder
    private let lock = NSLock()
    private var asked: [String] = []

    init(responder: OCSPResponder) {
        self.responder = responder
    }

    var uris: [String] {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.asked
    }

    func query(request: [UInt8], uri: String) async -> OCSPRequesterQueryResult {
        self.record(uri)
        return .response(self.responder.answer(request).bytes)
    }

    private func record(_ uri: String) {
        self.lock.lock()
        defer { self.lock.unlock() }
        self.asked.append(uri)
    }
}
