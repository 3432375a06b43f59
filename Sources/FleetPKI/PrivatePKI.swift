import Foundation
import X509

/// A fleetsim PKI on disk: root → issuing CA → server and devices, the CRL and `fleet.json`
/// (DESIGN.md §4). `pki init` creates it, `pki issue` adds devices, `pki revoke` updates the CRL,
/// `pki ocsp` answers for the issuing CA.
public struct PrivatePKI: Sendable {
    public let layout: PKILayout
    public let root: CertificateAuthority
    public let intermediate: CertificateAuthority
    public private(set) var manifest: FleetManifest

    /// Validity periods: long-lived CAs, a one-year server, two-year devices.
    public static let rootLifetime: TimeInterval = 20 * 365 * 86400
    public static let intermediateLifetime: TimeInterval = 10 * 365 * 86400
    public static let serverLifetime: TimeInterval = 398 * 86400
    public static let deviceLifetime: TimeInterval = 2 * 365 * 86400

    // MARK: - init

    /// Creates a new PKI in `directory`. With `ocspURL`, the server certificate and every device
    /// issued later carry it (Authority Information Access), and `fleet.json` keeps it for `pki issue`.
    ///
    /// - Throws: ``PKIError`` if a PKI already exists there and `force` is false — overwriting a CA
    ///   silently would orphan every device issued from it.
    public static func create(
        in directory: String,
        algorithm: KeyAlgorithm,
        serverNames: [String],
        force: Bool,
        ocspURL: OCSPURL? = nil,
        now: Date = Date()
    ) throws -> PrivatePKI {
        let layout = PKILayout(directory: directory)
        let existing = [layout.rootKey, layout.rootCertificate, layout.manifest].filter {
            FileManager.default.fileExists(atPath: $0)
        }
        if !existing.isEmpty && !force {
            throw PKIError(
                .pkiExists,
                "\(directory) already holds a PKI (\(existing.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))); "
                    + "pass --force to replace it and every device issued from it",
                path: directory
            )
        }
        try FileManager.default.createDirectory(atPath: layout.devices, withIntermediateDirectories: true)
        if force { try Self.removeDevices(layout) }

        let root = try CertificateAuthority.makeRoot(
            commonName: "fleetsim root CA",
            algorithm: algorithm,
            validFor: Self.rootLifetime,
            now: now
        )
        let intermediate = try root.issueIntermediate(
            commonName: "fleetsim issuing CA",
            validFor: Self.intermediateLifetime,
            now: now
        )
        var serverTemplate = CertificateTemplate.server(names: serverNames, validFor: Self.serverLifetime, now: now)
        serverTemplate.ocspURL = ocspURL?.text
        let server = try intermediate.issueLeaf(template: serverTemplate, algorithm: algorithm)
        try AtomicFile.write(root.key.pkcs8PEM, to: layout.rootKey, mode: 0o600)
        try AtomicFile.write(PEMText.encode([root.certificate]), to: layout.rootCertificate)
        try AtomicFile.write(intermediate.key.pkcs8PEM, to: layout.intermediateKey, mode: 0o600)
        try AtomicFile.write(PEMText.encode([intermediate.certificate]), to: layout.intermediateCertificate)
        try AtomicFile.write(PEMText.encode([root.certificate, intermediate.certificate]), to: layout.caChain)
        try AtomicFile.write(server.keyPEM, to: layout.serverKey, mode: 0o600)
        try AtomicFile.write(server.chainPEM, to: layout.serverCertificate)
        var pki = PrivatePKI(
            layout: layout,
            root: root,
            intermediate: intermediate,
            manifest: FleetManifest(ocspURL: ocspURL?.text)
        )
        try pki.writeCRL(now: now)
        try pki.manifest.save(to: layout.manifest)
        return pki
    }

    /// Opens the PKI in `directory`.
    ///
    /// - Throws: ``PKIError`` saying to run `pki init` when there is none.
    public static func open(_ directory: String) throws -> PrivatePKI {
        let layout = try Self.existingLayout(directory)
        let root = try CertificateAuthority.load(certificatePath: layout.rootCertificate, keyPath: layout.rootKey)
        let intermediate = try CertificateAuthority.load(
            certificatePath: layout.intermediateCertificate,
            keyPath: layout.intermediateKey
        )
        let manifest = try Self.manifest(of: layout)
        return PrivatePKI(layout: layout, root: root, intermediate: intermediate, manifest: manifest)
    }

    /// The PKI's `fleet.json`.
    ///
    /// - Throws: ``PKIError`` `manifest-unreadable` naming the file and the way out.
    static func manifest(of layout: PKILayout) throws(PKIError) -> FleetManifest {
        do {
            return try FleetManifest.load(from: layout.manifest)
        } catch {
            throw PKIError(
                .manifestUnreadable,
                "\(layout.manifest) cannot be read (\(error)); re-create the PKI with `pki init --force`",
                path: layout.manifest
            )
        }
    }

    // MARK: - issue

    /// Issues `count` devices named `<prefix>NNNNN`, each with `defect`, in parallel on all cores.
    ///
    /// Files are written atomically (keys 0600); `fleet.json` and, for `revoked`, the CRL are
    /// updated once at the end.
    public mutating func issueDevices(
        count: Int,
        prefix: String,
        defect: DeviceDefect,
        algorithm: KeyAlgorithm,
        now: Date = Date()
    ) async throws -> [FleetManifest.Device] {
        let first = self.manifest.nextIndex(prefix: prefix)
        let ids = (first..<first + count).map { String(format: "%@%05d", prefix, $0) }
        let issuer = try DefectIssuer(pki: self, defect: defect, algorithm: algorithm, now: now)
        let layout = self.layout
        if defect != .wrongCA && issuer.issuer.certificate != self.intermediate.certificate {
            // An issuing CA made for this batch under the fleet's root gets its CRL, so a backend
            // that checks CRLs judges its devices by their defect, not by "no CRL from the issuer".
            let crl = try RevocationList.make(
                issuer: issuer.issuer,
                revoked: [],
                number: 1,
                thisUpdate: now,
                validFor: PrivatePKI.deviceLifetime
            )
            let others = (try? String(contentsOfFile: layout.otherCRLs, encoding: .utf8)) ?? ""
            try AtomicFile.write(others + crl, to: layout.otherCRLs)
            try self.writeCRL(now: now)
        }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
        let chunk = (count + workers - 1) / workers
        let issued = try await withThrowingTaskGroup(of: [FleetManifest.Device].self) { group in
            for start in stride(from: 0, to: count, by: chunk) {
                let slice = Array(ids[start..<min(count, start + chunk)])
                group.addTask {
                    try slice.map { id in try issuer.issue(id: id, layout: layout) }
                }
            }
            var all: [FleetManifest.Device] = []
            for try await part in group { all += part }
            return all.sorted { $0.id < $1.id }
        }
        self.manifest.devices += issued
        if defect == .revoked {
            self.manifest.revocations += issued.map { FleetManifest.Revocation(serial: $0.serial, date: now) }
            self.manifest.crlNumber += 1
            try self.writeCRL(now: now)
        }
        try self.manifest.save(to: self.layout.manifest)
        return issued
    }

    // MARK: - revoke

    /// Adds devices to the CRL, for `reason`: re-signed with the next CRL number. `pki ocsp` reads
    /// the same revocations from `fleet.json`.
    ///
    /// - Throws: ``PKIError`` naming any id that is not in `fleet.json`.
    public mutating func revoke(
        _ ids: [String],
        reason: RevocationReason = .unspecified,
        now: Date = Date()
    ) throws -> [FleetManifest.Device] {
        let unknown = ids.filter { id in !self.manifest.devices.contains { $0.id == id } }
        guard unknown.isEmpty else {
            throw PKIError(
                .unknownDevice,
                "unknown device id(s) \(unknown.joined(separator: ", ")): not in \(self.layout.manifest)",
                path: self.layout.manifest
            )
        }
        var revoked: [FleetManifest.Device] = []
        for index in self.manifest.devices.indices where ids.contains(self.manifest.devices[index].id) {
            guard !self.manifest.devices[index].revoked else { continue }
            self.manifest.devices[index].revoked = true
            self.manifest.revocations.append(
                .init(serial: self.manifest.devices[index].serial, date: now, reason: reason)
            )
            revoked.append(self.manifest.devices[index])
        }
        self.manifest.crlNumber += 1
        try self.writeCRL(now: now)
        try self.manifest.save(to: self.layout.manifest)
        return revoked
    }

    // MARK: - helpers

    /// The layout of the PKI in `directory`, once its root certificate is there: the one check
    /// every command that reads a PKI makes first.
    ///
    /// - Throws: ``PKIError`` `no-pki` naming the directory and saying to run `pki init`.
    static func existingLayout(_ directory: String) throws(PKIError) -> PKILayout {
        let layout = PKILayout(directory: directory)
        guard FileManager.default.fileExists(atPath: layout.rootCertificate) else {
            throw PKIError(
                .noPKI,
                "no PKI in \(directory): run `fleetsim pki init --dir \(directory)` first",
                path: directory
            )
        }
        return layout
    }

    private mutating func writeCRL(now: Date) throws {
        let entries = self.manifest.revocations.compactMap { revocation in
            CertificateFacts.bytes(hex: revocation.serial).map {
                RevocationList.Entry(serial: $0, revocationDate: revocation.date, reason: revocation.reason)
            }
        }
        let pem = try RevocationList.make(
            issuer: self.intermediate,
            revoked: entries,
            number: self.manifest.crlNumber,
            thisUpdate: now
        )
        let others = (try? String(contentsOfFile: self.layout.otherCRLs, encoding: .utf8)) ?? ""
        try AtomicFile.write(pem + others, to: self.layout.crl)
    }

    private static func removeDevices(_ layout: PKILayout) throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: layout.devices)) ?? []
        for file in files where file.hasSuffix(".pem") || file.hasSuffix(".key") {
            try FileManager.default.removeItem(atPath: "\(layout.devices)/\(file)")
        }
    }
}
