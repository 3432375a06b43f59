import FleetCore
import FleetTLS
import Foundation

/// Loads device identities from any folder of `<device-id>.pem` (leaf first, then intermediates)
/// and `<device-id>.key` pairs — the layout `pki issue` writes, and the one a user's own devices
/// fit (DESIGN.md §4).
///
/// Each identity is validated once, here, in parallel on all cores; a device whose files cannot be
/// used ends `identity-invalid` without stopping the others.
public enum IdentityDirectory {
    public struct Listing: Sendable {
        /// Device ids with both files, sorted.
        public var ids: [String]
        /// Files without their partner (`x.pem` without `x.key`, or the reverse).
        public var unpaired: [String]
    }

    /// The folder of identities cannot be listed.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        /// Why, as a stable identifier.
        public enum Code: String, Sendable, Hashable, CaseIterable {
            /// The path does not exist or is not a directory.
            case noSuchDirectory = "no-such-directory"
            /// The directory exists but cannot be listed (permissions).
            case unreadableDirectory = "unreadable-directory"
        }

        public let code: Code
        /// The directory.
        public let path: String
        public let description: String
    }

    /// The device ids in `directory`.
    ///
    /// - Throws: ``LoadError`` `no-such-directory` or `unreadable-directory`.
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
            throw LoadError(code: .unreadableDirectory, path: directory, description: "\(directory): cannot be listed (\(error))")
        }
        let pems = Set(files.filter { $0.hasSuffix(".pem") }.map { String($0.dropLast(4)) })
        let keys = Set(files.filter { $0.hasSuffix(".key") }.map { String($0.dropLast(4)) })
        let unpaired = pems.subtracting(keys).map { "\($0).pem" } + keys.subtracting(pems).map { "\($0).key" }
        return Listing(ids: pems.intersection(keys).sorted(), unpaired: unpaired.sorted())
    }

    /// Reads and validates the identities `ids` from `directory` against `context`.
    public static func load(_ ids: [String], from directory: String, context: TLSContext) async -> [FleetDevice] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, ids.count))
        let chunk = max(1, (ids.count + workers - 1) / workers)
        return await withTaskGroup(of: [FleetDevice].self) { group in
            for start in stride(from: 0, to: ids.count, by: chunk) {
                let slice = Array(ids[start..<min(ids.count, start + chunk)])
                group.addTask { slice.map { Self.loadOne($0, directory: directory, context: context) } }
            }
            var devices: [FleetDevice] = []
            for await part in group { devices += part }
            return devices.sorted { $0.id < $1.id }
        }
    }

    static func loadOne(_ id: String, directory: String, context: TLSContext) -> FleetDevice {
        let certificatePath = "\(directory)/\(id).pem"
        let keyPath = "\(directory)/\(id).key"
        guard let chain = FileManager.default.contents(atPath: certificatePath),
            let key = FileManager.default.contents(atPath: keyPath)
        else {
            let failure = TLSFailure(.identityInvalid, detail: "\(certificatePath) or \(keyPath) cannot be read")
            return FleetDevice(id: id, identity: .failure(failure), chainPEM: "", keyPEM: "")
        }
        let chainPEM = String(decoding: chain, as: UTF8.self)
        let keyPEM = String(decoding: key, as: UTF8.self)
        let identity = DeviceIdentity(label: id, chainPEM: Array(chain), keyPEM: Array(key))
        do {
            return FleetDevice(id: id, identity: .success(try context.validate(identity)), chainPEM: chainPEM, keyPEM: keyPEM)
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
