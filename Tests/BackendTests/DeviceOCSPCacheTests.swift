import FleetPKI
import FleetTestSupport
import Foundation
import NIOConcurrencyHelpers
import Testing
import X509

@testable import Backend

/// ``DeviceOCSP`` without I/O: what the verify callback answers from the cache, when it asks for a
/// lookup, and how long an answer counts — fail closed at every step.
@Suite struct DeviceOCSPCacheTests {
    struct Fixture {
        let check: DeviceOCSP
        let asked: NIOLockedValueBox<[String]>
        let leaves: [Certificate]
        let issuer: Certificate
        let now = Date()

        func refusal(_ index: Int, at offset: TimeInterval = 0) -> String? {
            self.check.refusal(of: self.leaves[index], presented: [], now: self.now.addingTimeInterval(offset))
        }

        var askedCount: Int { self.asked.withLockedValue { $0.count } }
    }

    static func fixture(_ directory: TemporaryDirectory) async throws -> Fixture {
        var pki = try PrivatePKI.create(
            in: directory.path("certs"),
            algorithm: .ecdsaP256,
            serverNames: ["localhost"],
            force: false
        )
        let ids = try await pki.issueDevices(count: 2, prefix: "tcu-", defect: .none, algorithm: .ecdsaP256)
            .map(\.id).sorted()
        let leaves = try ids.map { try PEMFile.certificates(at: pki.layout.deviceCertificate($0))[0] }
        let asked = NIOLockedValueBox<[String]>([])
        let check = DeviceOCSP(issuers: [pki.intermediate.certificate]) { leaf, _ in
            asked.withLockedValue { $0.append(CertificateFacts.serialHex(leaf)) }
        }
        return Fixture(check: check, asked: asked, leaves: leaves, issuer: pki.intermediate.certificate)
    }

    @Test func notKnownYetIsRefusedAndAskedOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let f = try await Self.fixture(directory)
        #expect(f.refusal(0)?.hasPrefix("ocsp-pending") == true)
        #expect(f.refusal(0)?.hasPrefix("ocsp-pending") == true)
        #expect(f.askedCount == 1, "one lookup in flight per certificate")
        #expect(f.refusal(1)?.hasPrefix("ocsp-pending") == true)
        #expect(f.askedCount == 2)
    }

    @Test func goodCountsUntilNextUpdateAndIsAskedAgainHalfway() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let f = try await Self.fixture(directory)
        _ = f.refusal(0)
        f.check.record(
            .good(thisUpdate: f.now, nextUpdate: f.now.addingTimeInterval(100)),
            for: f.leaves[0],
            now: f.now
        )
        #expect(f.refusal(0, at: 10) == nil)
        #expect(f.askedCount == 1)
        #expect(f.refusal(0, at: 60) == nil, "due for refresh, still good meanwhile")
        #expect(f.askedCount == 2)
        #expect(f.refusal(0, at: 101)?.hasPrefix("ocsp-pending") == true, "expired, and no answer came")
        #expect(f.askedCount == 2, "the refresh is still in flight")
    }

    @Test func revokedUnknownAndUnavailableAreRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let f = try await Self.fixture(directory)
        f.check.record(.revoked(at: f.now, reason: .keyCompromise, nextUpdate: nil), for: f.leaves[0], now: f.now)
        #expect(f.refusal(0)?.hasPrefix("revoked: OCSP says revoked") == true)
        #expect(f.refusal(0)?.contains("key-compromise") == true)
        #expect(f.check.resumedRefusal(leafDER: try Self.der(f.leaves[0]), now: f.now)?.hasPrefix("revoked") == true)

        f.check.record(.unknown(nextUpdate: nil), for: f.leaves[1], now: f.now)
        #expect(f.refusal(1)?.hasPrefix("ocsp-unknown") == true)
        #expect(
            f.check.resumedRefusal(leafDER: try Self.der(f.leaves[1]), now: f.now) == nil,
            "only revoked refuses a resumption"
        )

        f.check.record(.unavailable("connection refused"), for: f.leaves[1], now: f.now)
        #expect(f.refusal(1)?.hasPrefix("ocsp-unavailable") == true)
        let before = f.askedCount
        #expect(f.refusal(1, at: DeviceOCSP.retryAfter + 1)?.hasPrefix("ocsp-unavailable") == true)
        #expect(f.askedCount == before + 1, "a failed lookup is retried after \(DeviceOCSP.retryAfter) s")
        #expect(f.check.counts == ["revoked": 1, "unavailable": 1])
    }

    @Test func aLeafWhoseIssuerIsNotKnownIsRefusedWithoutAsking() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let f = try await Self.fixture(directory)
        let asked = NIOLockedValueBox(0)
        let stranger = DeviceOCSP(issuers: []) { _, _ in asked.withLockedValue { $0 += 1 } }
        #expect(stranger.refusal(of: f.leaves[0], presented: [])?.hasPrefix("ocsp-unavailable") == true)
        #expect(asked.withLockedValue { $0 } == 0, "no request can be made without the issuer")
        // The issuer the device presented (validated by wolfSSL) is enough.
        #expect(stranger.refusal(of: f.leaves[0], presented: [f.issuer])?.hasPrefix("ocsp-pending") == true)
        #expect(asked.withLockedValue { $0 } == 1)
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        try certificate.serializeAsPEM().derBytes
    }
}
