import FleetPKI
import FleetTestSupport
import Foundation
import Testing
import X509

/// `pki init / issue / revoke` on disk: the layout, the modes, the manifest, the CRL's life.
@Suite struct PrivatePKITests {
    @Test func initWritesTheLayoutAndRefusesToOverwrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("certs")
        let pki = try PrivatePKI.create(
            in: path,
            algorithm: .ecdsaP256,
            serverNames: ["localhost", "127.0.0.1"],
            force: false
        )
        let layout = pki.layout
        for file in [
            layout.rootCertificate, layout.rootKey, layout.intermediateCertificate, layout.intermediateKey,
            layout.caChain, layout.serverCertificate, layout.serverKey, layout.crl, layout.manifest,
        ] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
        }
        for key in [layout.rootKey, layout.intermediateKey, layout.serverKey] {
            let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(key) has mode \(String(mode ?? 0, radix: 8))")
        }
        #expect(try PEMFile.certificates(at: layout.caChain).count == 2)
        #expect(try PEMFile.certificates(at: layout.serverCertificate).count == 2)
        let crl = try RevocationList(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: layout.crl))))
        #expect(crl.entries.isEmpty)
        #expect(crl.number == 1)
        #expect(crl.isSigned(by: pki.intermediate.certificate))

        let exists = #expect(throws: PKIError.self) {
            try PrivatePKI.create(in: path, algorithm: .ecdsaP256, serverNames: ["localhost"], force: false)
        }
        #expect(exists?.code == .pkiExists)
        #expect(exists?.path == path)
        let replaced = try PrivatePKI.create(in: path, algorithm: .ecdsaP384, serverNames: ["localhost"], force: true)
        #expect(replaced.root.certificate != pki.root.certificate)
    }

    @Test func issueNamesDevicesAndRecordsThem() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var pki = try PrivatePKI.create(
            in: directory.path("certs"),
            algorithm: .ecdsaP256,
            serverNames: ["localhost"],
            force: false
        )
        let first = try await pki.issueDevices(count: 3, prefix: "tcu-", defect: .none, algorithm: .ecdsaP256)
        let second = try await pki.issueDevices(count: 2, prefix: "tcu-", defect: .none, algorithm: .ecdsaP256)
        #expect(first.map(\.id) == ["tcu-00001", "tcu-00002", "tcu-00003"])
        #expect(second.map(\.id) == ["tcu-00004", "tcu-00005"])
        let manifest = try FleetManifest.load(from: pki.layout.manifest)
        #expect(manifest.devices.count == 5)
        let device = try #require(manifest.devices.first)
        let chain = try PEMFile.certificates(at: pki.layout.deviceCertificate(device.id))
        #expect(chain.count == 2)  // leaf + issuing CA
        #expect(CertificateFacts.serialHex(chain[0]) == device.serial)
        #expect(CertificateFacts.fingerprint(chain[0]) == device.fingerprint)
        #expect(CertificateLint.attribute(.RDNAttributeType.commonName, of: chain[0]) == device.id)
        #expect(CertificateLint.attribute(.RDNAttributeType.serialNumber, of: chain[0]) == device.id)
        let mode =
            try FileManager.default.attributesOfItem(atPath: pki.layout.deviceKey(device.id))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // No temporary files left behind by the atomic writes.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: pki.layout.devices).filter {
            $0.hasPrefix(".fleetsim-")
        }
        #expect(leftovers.isEmpty)
    }

    @Test func revokeReSignsTheCRLWithTheNextNumber() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var pki = try PrivatePKI.create(
            in: directory.path("certs"),
            algorithm: .ecdsaP256,
            serverNames: ["localhost"],
            force: false
        )
        let devices = try await pki.issueDevices(count: 3, prefix: "m-", defect: .none, algorithm: .ecdsaP256)
        _ = try pki.revoke(["m-00002"])
        _ = try pki.revoke(["m-00003"])
        let crl = try RevocationList(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: pki.layout.crl))))
        #expect(crl.number == 3)
        #expect(crl.isSigned(by: pki.intermediate.certificate))
        let revoked = try [devices[1], devices[2]].map {
            try PEMFile.certificates(at: pki.layout.deviceCertificate($0.id))[0]
        }
        let good = try PEMFile.certificates(at: pki.layout.deviceCertificate(devices[0].id))[0]
        #expect(revoked.allSatisfy(crl.lists))
        #expect(!crl.lists(good))
        let unknown = #expect(throws: PKIError.self) { try pki.revoke(["m-00001", "no-such-device"]) }
        #expect(unknown?.code == .unknownDevice)
        #expect(unknown?.message.contains("no-such-device") == true)  // names the id that is not there
    }

    @Test func openingWithoutAPKIIsNoPKI() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: PKIError.self) { try PrivatePKI.open(directory.path("certs")) }
        #expect(error?.code == .noPKI)
        #expect(error?.path == directory.path("certs"))
    }

    @Test func aBrokenManifestIsManifestUnreadable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pki = try PrivatePKI.create(
            in: directory.path("certs"),
            algorithm: .ecdsaP256,
            serverNames: ["localhost"],
            force: false
        )
        try "{ not json".write(toFile: pki.layout.manifest, atomically: true, encoding: .utf8)
        let error = #expect(throws: PKIError.self) { try PrivatePKI.open(directory.path("certs")) }
        #expect(error?.code == .manifestUnreadable)
        #expect(error?.path == pki.layout.manifest)
    }
}
