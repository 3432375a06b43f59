import FleetCore
import FleetMQTT
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded

@testable import Backend
@testable import FleetTLS

/// One ``BackendSession`` on an `EmbeddedChannel`, without a socket or a TLS handler: the test
/// fires the TLS events the server-side `TLSHandler` would, writes MQTT packets in as values,
/// reads the session's answers out, moves the event loop's clock, and sees every audit record.
///
/// Synchronous on purpose: an `EmbeddedEventLoop` belongs to the thread that made it.
final class SessionHarness {
    /// Where the device connects from, as the audit log writes it.
    static let remote = "192.0.2.7:40001"

    let channel: EmbeddedChannel
    private let records: NIOLockedValueBox<[AuditRecord]>

    /// Timeouts: handshake 10 s, CONNECT 5 s after acceptance, idle (TLS mode) 60 s.
    init(_ mode: ProtocolMode, policy: BackendPolicy = BackendPolicy()) throws {
        let records = NIOLockedValueBox<[AuditRecord]>([])
        let audit = try AuditLog(path: nil) { record in records.withLockedValue { $0.append(record) } }
        let settings = BackendSession.Settings(
            mode: mode,
            policy: policy,
            handshakeTimeout: .seconds(10),
            connectTimeout: .seconds(5),
            idleTimeout: .seconds(60)
        )
        self.records = records
        self.channel = EmbeddedChannel(handler: BackendSession(settings: settings, audit: audit))
        try self.channel.connect(to: SocketAddress(ipAddress: "192.0.2.7", port: 40_001)).wait()
    }

    /// Every verdict the session wrote, in order.
    var audit: [AuditRecord] { self.records.withLockedValue { $0 } }

    var isOpen: Bool { self.channel.isActive }

    /// `TLSEvent.handshakeCompleted` for a device whose certificate has this CN and serialNumber.
    func handshakeCompleted(commonName: String?, serialNumber: String?, version: TLSVersion = .v1_3) {
        let peer =
            commonName == nil && serialNumber == nil
            ? nil : PeerIdentity(commonName: commonName, serialNumber: serialNumber)
        let info = TLSHandshakeInfo(
            version: version,
            cipherSuite: "TLS_AES_128_GCM_SHA256",
            resumed: false,
            peer: peer,
            at: .now()
        )
        self.channel.pipeline.syncOperations.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(info))
    }

    /// `TLSEvent.accepted`: the device's certificate passed the server's checks.
    func accepted() {
        self.channel.pipeline.syncOperations.fireUserInboundEventTriggered(TLSEvent.accepted(at: .now()))
    }

    /// The handshake of a device `id` (CN = serialNumber = `id`), accepted.
    func admit(_ id: String) {
        self.handshakeCompleted(commonName: id, serialNumber: id)
        self.accepted()
    }

    /// An error from below, as `TLSHandler` or the MQTT decoder raise it.
    func fail(_ error: any Error) {
        self.channel.pipeline.syncOperations.fireErrorCaught(error)
    }

    func send(_ packet: MQTTPacket) throws {
        try self.channel.writeInbound(packet)
    }

    /// What the session sent since the last call, read in `version` (the session encodes in the
    /// version of the CONNECT it received).
    func sent(version: MQTTVersion = .v3_1_1) throws -> [MQTTPacket] {
        var packets: [MQTTPacket] = []
        while var buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
            while let packet = try MQTTDecoder.parse(&buffer, version: version) { packets.append(packet) }
        }
        return packets
    }

    func advance(_ time: TimeAmount) {
        self.channel.embeddedEventLoop.advanceTime(by: time)
    }

    deinit {
        _ = try? self.channel.finish(acceptAlreadyClosed: true)
    }
}
