import FleetCore
import FleetTLS
import Foundation

/// Loads device identities from any folder of `<device-id>.pem` (or `.crt`, `.der`: the
/// certificate, leaf first, then intermediates) and `<device-id>.key` pairs — the layout `pki
/// issue` writes, and the one a user's own devices fit (DESIGN.md §4).
///
/// PEM or DER, whatever the file is called (``IdentityFiles`` tells them apart by content), and
/// keys encrypted with a passphrase when one is given. Each identity is read, decrypted and
/// validated once, here, in parallel on all cores; a device whose files cannot be used ends
/// `identity-invalid` without stopping the others.
public enum IdentityDirectory {
    /// The file extensions of a device's certificate, in the order messages list them.
    public static let certificateExtensions = ["pem", "crt", "der"]

    public struct Listing: Sendable {
        /// Device ids with both files, sorted.
        public var ids: [String]
        /// Files without their partner (`x.pem` without `x.key`, or the reverse).
        public var unpaired: [String]
        /// The folder.
        public var directory: String = ""
        /// Each paired id's certificate file name (`x.pem`, `x.crt` or `x.der`).
        public var certificateFiles: [String: String] = [:]
    }

    /// The folder of identities cannot be listed, or does not say which file is a device's.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        /// Why, as a stable identifier.
        public enum Code: String, Sendable, Hashable, CaseIterable {
            /// The path does not exist or is not a directory.
            case noSuchDirectory = "no-such-directory"
            /// The directory exists but cannot be listed (permissions).
            case unreadableDirectory = "unreadable-directory"
            /// A device id has two certificate files (`x.pem` and `x.crt`): which one is meant?
            case twoCertificates = "two-certificates"
        }

        public let code: Code
        /// The directory.
        public let path: String
        public let description: String
    }

    /// The device ids in `directory`.
    ///
    /// - Throws: ``LoadError`` `no-such-directory`, `unreadable-directory`, or `two-certificates`
    ///   naming both files.
    public static func list(_ directory: String) throws(LoadError) -> Listing {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError(
                code: .noSuchDirectory,
                path: directory,
                description: "\(directory): no such directory of device identities"
            )
        }
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw LoadError(
                code: .unreadableDirectory,
                path: directory,
                description: "\(directory): cannot be listed (\(error))"
            )
        }
        var certificates: [String: [String]] = [:]
        for file in files {
            let name = file as NSString
            if Self.certificateExtensions.contains(name.pathExtension), !name.deletingPathExtension.isEmpty {
                certificates[name.deletingPathExtension, default: []].append(file)
            }
        }
        if let (id, both) = certificates.filter({ $0.value.count > 1 }).min(by: { $0.key < $1.key }) {
            let named = both.sorted { Self.rank($0) < Self.rank($1) }.map { "\(directory)/\($0)" }
            throw LoadError(
                code: .twoCertificates,
                path: directory,
                description: "\(named.joined(separator: " and ")): two certificate files for device '\(id)'; keep one"
            )
        }
        let keys = Set(files.filter { $0.hasSuffix(".key") }.map { String($0.dropLast(4)) })
        let stems = Set(certificates.keys)
        let unpaired =
            stems.subtracting(keys).compactMap { certificates[$0]?.first } + keys.subtracting(stems).map { "\($0).key" }
        let paired = stems.intersection(keys)
        return Listing(
            ids: paired.sorted(),
            unpaired: unpaired.sorted(),
            directory: directory,
            certificateFiles: Dictionary(
                uniqueKeysWithValues: paired.compactMap { id in certificates[id]?.first.map { (id, $0) } }
            )
        )
    }

    /// Where `file`'s extension comes in ``certificateExtensions``.
    private static func rank(_ file: String) -> Int {
        Self.certificateExtensions.firstIndex(of: (file as NSString).pathExtension) ?? Self.certificateExtensions.count
    }

    /// Reads, decrypts (with `passphrase`, when a key is encrypted) and validates the identities
    /// `ids` of `listing` against `context`.
    public static func load(_ ids: [String], of listing: Listing, context: TLSContext, passphrase: KeyPassphrase? = nil)
        async -> [FleetDevice]
    {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, ids.count))
        let chunk = max(1, (ids.count + workers - 1) / workers)
        return await withTaskGroup(of: [FleetDevice].self) { group in
            for start in stride(from: 0, to: ids.count, by: chunk) {
                let slice = Array(ids[start..<min(ids.count, start + chunk)])
                group.addTask {
                    slice.map { id in
                        let certificate = "\(listing.directory)/\(listing.certificateFiles[id] ?? "\(id).pem")"
                        return Self.loadOne(
                            id,
                            certificate: certificate,
                            key: "\(listing.directory)/\(id).key",
                            context: context,
                            passphrase: passphrase
                        )
                    }
                }
            }
            var devices: [FleetDevice] = []
            for await part in group { devices += part }
            return devices.sorted { $0.id < $1.id }
        }
    }

    static func loadOne(_ id: String, certificate: String, key: String, context: TLSContext, passphrase: KeyPassphrase?)
        -> FleetDevice
    {
        guard let chainFile = FileManager.default.contents(atPath: certificate),
            let keyFile = FileManager.default.contents(atPath: key)
        else {
            let failure = TLSFailure(.identityInvalid, detail: "\(certificate) or \(key) cannot be read")
            return FleetDevice(id: id, identity: .failure(failure), chainPEM: "", keyPEM: "")
        }
        // What the diagnosis of a failed device reads: the PEM each file became, else the file as it is.
        var chainPEM = String(decoding: chainFile, as: UTF8.self)
        var keyPEM = String(decoding: keyFile, as: UTF8.self)
        do throws(TLSFailure) {
            chainPEM = try IdentityFiles.chainPEM(Array(chainFile), label: id)
            keyPEM = try IdentityFiles.keyPEM(Array(keyFile), label: id, passphrase: passphrase)
            let identity = DeviceIdentity(label: id, chainPEM: chainPEM, keyPEM: keyPEM)
            return FleetDevice(
                id: id,
                identity: .success(try context.validate(identity)),
                chainPEM: chainPEM,
                keyPEM: keyPEM
            )
        } catch {
            return FleetDevice(id: id, identity: .failure(error), chainPEM: chainPEM, keyPEM: keyPEM)
        }
    }

    /// The devices of shard `k` of `n` (1-based): every n-th device by sorted id, so shards are
    /// disjoint, cover the fleet, and are the same on every machine.
    public static func shard(_ ids: [String], index k: Int, of n: Int) -> [String] {
        ids.enumerated().filter { $0.offset % n == k - 1 }.map(\.element)
    }
}
