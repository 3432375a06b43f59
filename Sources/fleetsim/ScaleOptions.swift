import ArgumentParser
import Foundation
import NIOCore

/// Past one process: which slice of the fleet this process runs, and which local addresses its
/// connections come from.
struct ScaleOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run shard K of N (1-based): every N-th device by id.", valueName: "K/N"))
    var shard: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Shard count N when the shard index comes from JOB_COMPLETION_INDEX (0-based, set by a Kubernetes Indexed Job).",
            valueName: "n"
        )
    )
    var shards: Int?

    @Option(
        help: ArgumentHelp(
            "Local addresses to connect from, round-robin per device: a list (127.0.0.2,127.0.0.3) or a range (127.0.0.2-127.0.0.9). Each address has its own ~28k ephemeral ports. (default: the system's choice)",
            valueName: "addresses"
        )
    )
    var sourceIP: String?

    /// The shard from `--shard`, else from `JOB_COMPLETION_INDEX` with `--shards`.
    func parsedShard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (k: Int, n: Int)? {
        if let shard {
            let parts = shard.split(separator: "/")
            guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(k) else {
                throw ValidationError("--shard '\(shard)' must be K/N with 1 ≤ K ≤ N, e.g. 2/4")
            }
            if let shards, shards != n {
                throw ValidationError("--shard \(shard) and --shards \(shards) disagree on the shard count")
            }
            return (k, n)
        }
        guard let shards else { return nil }
        guard shards >= 1 else { throw ValidationError("--shards must be at least 1") }
        guard let text = environment["JOB_COMPLETION_INDEX"] else {
            throw ValidationError(
                "--shards \(shards) needs the shard index: set JOB_COMPLETION_INDEX (0-based; a Kubernetes Indexed Job does) or give --shard K/N"
            )
        }
        guard let index = Int(text), (0..<shards).contains(index) else {
            throw ValidationError(
                "JOB_COMPLETION_INDEX '\(text)' must be a number from 0 to \(shards - 1) for --shards \(shards)"
            )
        }
        return (index + 1, shards)
    }

    /// The shard as the report writes it, e.g. "2/4".
    func label() throws -> String? {
        try self.parsedShard().map { "\($0.k)/\($0.n)" }
    }

    /// The source addresses, parsed and checked.
    func sourceAddresses() throws -> [SocketAddress] {
        guard let sourceIP else { return [] }
        var texts: [String] = []
        for part in sourceIP.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) {
            if let dash = part.firstIndex(of: "-") {
                texts += try Self.range(String(part[..<dash]), String(part[part.index(after: dash)...]))
            } else {
                texts.append(part)
            }
        }
        return try texts.map { text in
            do {
                return try SocketAddress(ipAddress: text, port: 0)
            } catch {
                throw ValidationError("--source-ip: '\(text)' is not an IP address")
            }
        }
    }

    /// IPv4 addresses from `low` to `high`, at most 65,536 of them.
    static func range(_ low: String, _ high: String) throws -> [String] {
        func number(_ text: String) -> UInt32? {
            let parts = text.split(separator: ".").compactMap { UInt32($0) }
            guard parts.count == 4, parts.allSatisfy({ $0 < 256 }) else { return nil }
            return parts.reduce(0) { $0 << 8 | $1 }
        }
        guard let a = number(low), let b = number(high), a <= b, b - a < 65_536 else {
            throw ValidationError(
                "--source-ip range '\(low)-\(high)' must be two IPv4 addresses, low to high, at most 65,536 apart"
            )
        }
        return (a...b).map { "\($0 >> 24).\($0 >> 16 & 255).\($0 >> 8 & 255).\($0 & 255)" }
    }
}
