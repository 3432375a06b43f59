import FleetPKI
import FleetTestSupport
import Foundation
import SwiftASN1
import Testing
import X509

/// The OCSP DER types against OpenSSL's bytes and against themselves: a request `openssl ocsp
/// -reqout` wrote decodes to the certificate it asks about and encodes back byte for byte; a
/// response decodes to what was signed and encodes back byte for byte.
@Suite struct OCSPEncodingTests {
    @Test(arguments: [("sha1", OCSPHashAlgorithm.sha1), ("sha256", .sha256)])
    func decodesARequestOpenSSLMade(digest: String, hash: OCSPHashAlgorithm) async throws {
        let fixture = try await OCSPFixture.make()
        defer { fixture.directory.remove() }
        let device = fixture.layout.deviceCertificate("tcu-00001")
        let out = fixture.directory.path("request-\(digest).der")
        let made = try await ForeignProcess.run(
            "openssl",
            [
                "ocsp", "-\(digest)", "-issuer", fixture.layout.intermediateCertificate, "-cert", device,
                "-reqout", out,
            ],
            in: fixture.directory
        )
        #expect(made.status == 0, "\(made.output)")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: out)))

        let request = try OCSPRequest(derEncoded: bytes)
        let certificate = try #require(try PEMFile.certificates(at: device).first)
        let expected = try OCSPCertID(
            certificate: certificate,
            issuer: fixture.pki.intermediate.certificate,
            hash: hash
        )
        #expect(request.requests.count == 1)
        let certID = try #require(request.requests.first?.certID)
        #expect(certID.hashAlgorithm == hash.oid)
        #expect(certID.issuerNameHash == expected.issuerNameHash)
        #expect(certID.issuerKeyHash == expected.issuerKeyHash)
        #expect(certID.serial == Array(certificate.serialNumber.bytes))
        #expect(!request.isSigned)
        // openssl sends a 16-byte nonce by default.
        let nonce = try #require(request.nonce)
        #expect(OCSPNonce.value(of: nonce).count == 16)

        #expect(try request.derEncoded() == bytes, "re-encoded byte for byte")
    }

    @Test func aBuiltRequestRoundTrips() throws {
        let pki = try TestPKI()
        let device = try pki.device(.good)
        let ids = try [OCSPHashAlgorithm.sha1, .sha256, .sha512].map {
            try OCSPCertID(certificate: device.certificate, issuer: pki.intermediate.certificate, hash: $0)
        }
        let request = try OCSPRequest(certIDs: ids, nonce: Array(repeating: 7, count: 32))
        let decoded = try OCSPRequest(derEncoded: try request.derEncoded())
        #expect(decoded == request)
        #expect(decoded.nonce.map(OCSPNonce.value(of:)) == Array(repeating: 7, count: 32))
    }

    @Test func aSignedResponseRoundTrips() async throws {
        let fixture = try await OCSPFixture.make()
        defer { fixture.directory.remove() }
        for role in OCSPSignerRole.allCases {
            let responder = try OCSPResponder.load(directory: fixture.layout.directory, signer: role, validity: 3600)
            let request = try OCSPRequest(
                certIDs: [try fixture.certID("tcu-00001"), try fixture.certID("tcu-00002", hash: .sha256)],
                nonce: Array(0..<16)
            )
            let answer = responder.answer(try request.derEncoded())
            #expect(answer.status == .successful)
            let response = try OCSPResponse(derEncoded: answer.bytes)
            let basic = try #require(response.basic)
            #expect(basic.responses.map(\.certID) == request.requests.map(\.certID), "CertIDs echoed as sent")
            #expect(basic.nonce == request.nonce)
            #expect(try response.derEncoded() == answer.bytes, "\(role): re-encoded byte for byte")
        }
    }

    @Test func errorResponsesAreTheStatusAlone() throws {
        for status in OCSPResponse.Status.allCases where status != .successful {
            let bytes = OCSPResponse.error(status)
            #expect(try OCSPResponse(status: status).derEncoded() == bytes)
            let decoded = try OCSPResponse(derEncoded: bytes)
            #expect(decoded.status == status)
            #expect(decoded.basic == nil)
        }
    }

    @Test func aManifestWrittenBeforeOCSPStillLoads() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let old = """
            {"crlNumber":2,"devices":[{"defect":"none","fingerprint":"AA","id":"tcu-00001","key":"ecdsa-p256",\
            "revoked":true,"serial":"0A1B"}],"revocations":[{"date":"2026-12-01T10:00:00Z","serial":"0A1B"}],\
            "schema":"fleetsim.fleet/1"}
            """
        let manifest = try FleetManifest.load(from: try directory.write("fleet.json", old))
        #expect(manifest.ocspURL == nil)
        #expect(manifest.revocations.first?.reason == nil)
        let book = OCSPStatusBook(manifest: manifest, issuingAlgorithm: .ecdsaP256)
        guard case .revoked(_, let reason) = book.status(of: [0x0A, 0x1B]) else {
            Issue.record("a revoked device must be revoked")
            return
        }
        #expect(reason == .unspecified, "no reason recorded reads as unspecified")
    }

    @Test func ocspURLsAreCheckedWhenGiven() throws {
        for good in ["http://ocsp.fleet.test", "http://127.0.0.1:8080/", "http://[::1]:2560/ocsp/v1", "HTTP://a-b.c"] {
            let url = try OCSPURL(good)
            #expect(url.text.hasPrefix("http://"), "\(good)")
        }
        #expect(try OCSPURL("http://ocsp.fleet.test:8080/path").port == 8080)
        #expect(try OCSPURL("http://ocsp.fleet.test").path == "/")
        let bad = [
            "https://ocsp.fleet.test", "ftp://x", "ocsp.fleet.test", "http://", "http://:80/", "http://h:0",
            "http://h:65536", "http://h:+80", "http://h/p?q=1", "http://h/#f", "http://user@h/", "http://h /",
            "http://-h/", "http://[::1/",
        ]
        for text in bad {
            #expect(throws: OCSPURL.Problem.self, "\(text)") { try OCSPURL(text) }
        }
    }
}

/// A PKI made by `PrivatePKI` with an OCSP URL, three good devices, and `tcu-00002` revoked for
/// key compromise.
struct OCSPFixture {
    let directory: TemporaryDirectory
    let pki: PrivatePKI
    var layout: PKILayout { self.pki.layout }

    static func make(algorithm: KeyAlgorithm = .ecdsaP256) async throws -> OCSPFixture {
        let directory = try TemporaryDirectory(prefix: "fleetsim-ocsp")
        var pki = try PrivatePKI.create(
            in: directory.path("certs"),
            algorithm: algorithm,
            serverNames: ["localhost"],
            force: false,
            ocspURL: try OCSPURL("http://ocsp.fleet.test/")
        )
        _ = try await pki.issueDevices(count: 3, prefix: "tcu-", defect: .none, algorithm: algorithm)
        _ = try pki.revoke(["tcu-00002"], reason: .keyCompromise)
        return OCSPFixture(directory: directory, pki: pki)
    }

    func certificate(_ id: String) throws -> Certificate {
        try PEMFile.certificates(at: self.layout.deviceCertificate(id))[0]
    }

    func certID(_ id: String, hash: OCSPHashAlgorithm = .sha1) throws -> OCSPCertID {
        try OCSPCertID(certificate: try self.certificate(id), issuer: self.pki.intermediate.certificate, hash: hash)
    }
}
