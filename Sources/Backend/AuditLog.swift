import Foundation
import NIOConcurrencyHelpers

/// One line of the audit log: who connected, from where, and the backend's verdict with its reason.
public struct AuditRecord: Codable, Sendable {
    public var time: Date
    public var remote: String
    /// From the device's certificate, also when it was rejected; nil if it sent none.
    public var deviceID: String?
    /// `accepted`, `rejected`, or `disconnected` (an accepted session the backend ended: taken over
    /// by a newer connection with its client id, a QoS 2 publish to IoT Hub, or its certificate
    /// revoked when the CRLs were reloaded); `reloaded` and `reload-failed` for the CRLs.
    public var verdict: String
    /// For rejections: the outcome the device sees (`rejected:unknown-ca`, `mqtt-refused:not-authorized`, …).
    public var outcome: String?
    public var reason: String?
    public var alertSent: Int?
    public var verifyError: Int?
    public var wolfSSLCode: Int?
    public var tls: String?
    public var mqttClientID: String?
    public var handshakeMs: Double?
    /// How far the connection got: `tls` (the handshake, and `tls` mode's verdict),
    /// `tls-after-handshake` (the handshake completed, the TLS verdict had not come), or `mqtt`
    /// (the TLS verdict was positive: the CONNECT and what follows).
    public var phase: String
    /// The application protocol ALPN negotiated (`serve --alpn`); absent when none was.
    public var alpn: String? = nil

    /// A line about the backend itself, not a connection (`reloaded`, `reload-failed`: the CRLs).
    public static func event(verdict: String, reason: String, phase: String) -> AuditRecord {
        AuditRecord(
            time: .now,
            remote: "-",
            deviceID: nil,
            verdict: verdict,
            outcome: nil,
            reason: reason,
            alertSent: nil,
            verifyError: nil,
            wolfSSLCode: nil,
            tls: nil,
            mqttClientID: nil,
            handshakeMs: nil,
            phase: phase
        )
    }
}

/// JSON lines, one per connection verdict, appended and flushed as they happen so a killed server
/// loses nothing already judged.
///
/// **Thread-safety:** one lock around the file handle; every event loop writes through it.
public final class AuditLog: Sendable {
    private let handle: NIOLockedValueBox<FileHandle?>
    private let records = NIOLockedValueBox<[String: Int]>([:])
    /// Hears every verdict (live metrics).
    private let onRecord: (@Sendable (AuditRecord) -> Void)?

    /// Opens (appending to) `path`; nil keeps only the counters.
    public init(path: String?, onRecord: (@Sendable (AuditRecord) -> Void)? = nil) throws(AuditLogError) {
        self.onRecord = onRecord
        if let path {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw AuditLogError(
                        code: .cannotCreate,
                        path: path,
                        description: "\(path): cannot create the audit log"
                    )
                }
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw AuditLogError(
                    code: .cannotOpen,
                    path: path,
                    description: "\(path): cannot open the audit log for writing"
                )
            }
            handle.seekToEndOfFile()
            self.handle = NIOLockedValueBox(handle)
        } else {
            self.handle = NIOLockedValueBox(nil)
        }
    }

    /// Appends one record as a JSON line and flushes it (a crash loses no verdict).
    public func write(_ record: AuditRecord) {
        self.onRecord?(record)
        self.records.withLockedValue { $0[record.verdict, default: 0] += 1 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(record) else { return }
        self.handle.withLockedValue { $0?.write(data + Data([0x0A])) }
    }

    /// How many connections were accepted and rejected so far.
    public var counts: [String: Int] { self.records.withLockedValue { $0 } }

    /// Flushes and closes the file; later writes are dropped.
    public func close() {
        self.handle.withLockedValue {
            try? $0?.synchronize()
            try? $0?.close()
            $0 = nil
        }
    }
}

/// The audit log file cannot be used; the message names it.
public struct AuditLogError: Error, CustomStringConvertible, Sendable {
    /// Why, as a stable identifier.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The file did not exist and cannot be created.
        case cannotCreate = "cannot-create"
        /// The file cannot be opened for appending.
        case cannotOpen = "cannot-open"
    }

    public let code: Code
    /// The audit log file.
    public let path: String
    public let description: String
}
