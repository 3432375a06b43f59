import FleetCore
import FleetMQTT
import FleetPKI
import FleetTLS
import FleetTestSupport
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Hardening of `fleetsim serve`: garbage, slowloris, 5,000 idle TCP connections, a connect flood,
/// and random and truncated MQTT from authenticated devices, all at once — the backend stays up,
/// keeps serving good devices, and its audit log shows no policy-failing device accepted.
@Suite(.serialized) struct BackendUnderAttackTests {
    /// Connects one device over mutual TLS and, once the backend accepted it, sends `bytes` as they
    /// are; waits briefly for the backend's reaction. Returns whether the backend closed the connection.
    static func sendAfterHandshake(_ bytes: [UInt8], identity: DeviceIdentity, context: TLSContext, port: Int)
        async throws -> Bool
    {
        let sent = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let once = Once()  // `sent` is completed once: by the write, a close, or the deadline
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        try TLSHandler(context: context, identity: identity, serverName: "localhost")
                    )
                    try channel.pipeline.syncOperations.addHandler(RawSender(bytes: bytes, sent: sent, once: once))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        // The handshake may take a while on a loaded (or sanitized) build: wait for the bytes to go
        // out (bounded), then give the backend 600 ms to react.
        channel.closeFuture.whenComplete { _ in if once.first() { sent.fail(ChannelError.alreadyClosed) } }
        channel.eventLoop.scheduleTask(in: .seconds(15)) {
            if once.first() { sent.fail(ChannelError.connectTimeout(.seconds(15))) }
        }
        guard (try? await sent.futureResult.get()) != nil else {
            try? await channel.close()
            return false
        }
        let outcome = channel.eventLoop.makePromise(of: Bool.self)
        let decided = Once()
        channel.closeFuture.whenComplete { _ in if decided.first() { outcome.succeed(true) } }
        channel.eventLoop.scheduleTask(in: .milliseconds(600)) { if decided.first() { outcome.succeed(false) } }
        let result = try await outcome.futureResult.get()
        try? await channel.close()
        return result
    }

    /// Writes its bytes once the handshake completed, then reports them sent; ignores what comes back.
    final class RawSender: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes: [UInt8]
        let sent: EventLoopPromise<Void>
        let once: Once
        init(bytes: [UInt8], sent: EventLoopPromise<Void>, once: Once) {
            self.bytes = bytes
            self.sent = sent
            self.once = once
        }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSEvent.handshakeCompleted = event {
                let (sent, once) = (self.sent, self.once)
                context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: self.bytes))).whenComplete { _ in
                    if once.first() { sent.succeed() }
                }
            }
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    final class Once: Sendable {
        private let taken = Atomic<Bool>(false)
        /// True for the first caller only.
        func first() -> Bool { !self.taken.exchange(true, ordering: .relaxed) }
    }

    /// Hostile MQTT: every truncation of a valid CONNECT, random bytes, a huge remaining length,
    /// PUBLISH before CONNECT, a valid CONNECT followed by garbage.
    static func hostileMQTT(clientID: String, count: Int) -> [[UInt8]] {
        var connect = ByteBuffer()
        MQTTEncoder.encode(.connect(.init(clientID: clientID)), into: &connect)
        let valid = Array(connect.readableBytesView)
        var random = SplitMix(state: 20_261_122)
        var cases: [[UInt8]] = (1..<valid.count).map { Array(valid.prefix($0)) }
        cases.append([0x10, 0xFF, 0xFF, 0xFF, 0x7F])  // CONNECT claiming 256 MB
        cases.append([0x30, 0x05, 0x00, 0x01, 0x74, 0x68, 0x69])  // PUBLISH before CONNECT
        cases.append([0xF0, 0x00])  // reserved packet type 15
        while cases.count < count {
            let length = Int.random(in: 1...300, using: &random)
            let garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            cases.append(Bool.random(using: &random) ? garbage : valid + garbage)
        }
        return cases
    }

    @Test func theBackendStaysUpAndLetsNoBadDeviceIn() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        let layout = fixture.layout
        let audit = AuditLogFile(fixture.directory.path("audit.jsonl"))
        let server = try await FleetsimServer(
            ["--dir", layout.directory, "--protocol", "mqtt", "--audit", audit.path, "--handshake-timeout", "2s"],
            in: fixture.directory
        )
        defer { server.stop() }

        // Slowloris: a ClientHello one byte at a time, a byte before each of the attacks below.
        let slow = try (0..<20).map { _ in try RawTCP(port: server.port) }
        var slowBytes: [UInt8] = [0x16, 0x03, 0x01, 0x00]
        func trickle() {
            guard !slowBytes.isEmpty else { return }
            let byte = slowBytes.removeFirst()
            for connection in slow { connection.send([byte]) }
        }
        // 5,000 idle TCP connections held open.
        trickle()
        var idle: [RawTCP] = []
        for _ in 0..<5000 { idle.append(try RawTCP(port: server.port)) }
        // A connect flood: 2,000 connections opened and dropped at once, and garbage.
        trickle()
        for _ in 0..<2000 { try RawTCP(port: server.port).close() }
        trickle()
        for _ in 0..<50 {
            let garbage = try RawTCP(port: server.port)
            garbage.send((0..<200).map { _ in UInt8.random(in: 0...255) })
            garbage.close()
        }
        trickle()

        // Random and truncated MQTT from an authenticated device.
        let good = fixture.devices[.none]!
        var configuration = TLSConfiguration.makeClientConfiguration(
            trustRootsPEM: try fixture.text(layout.rootCertificate)
        )
        configuration.groups = [.secp256r1]
        let context = try TLSContext(configuration: configuration)
        let identity = try context.validate(
            DeviceIdentity(
                label: good,
                chainPEM: Array(try fixture.text(layout.deviceCertificate(good)).utf8),
                keyPEM: Array(try fixture.text(layout.deviceKey(good)).utf8)
            )
        )
        let cases = Self.hostileMQTT(clientID: good, count: 200)
        var closedByBackend = 0
        for start in stride(from: 0, to: cases.count, by: 20) {
            let batch = Array(cases[start..<min(cases.count, start + 20)])
            closedByBackend += try await withThrowingTaskGroup(of: Bool.self) { group in
                for bytes in batch {
                    group.addTask {
                        // A connect refused under the flood is the backend protecting itself, not a failure here.
                        (try? await Self.sendAfterHandshake(
                            bytes,
                            identity: identity,
                            context: context,
                            port: server.port
                        )) ?? false
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        #expect(closedByBackend > 0, "the backend closes connections that send garbage")

        // Meanwhile the whole defect matrix runs: good devices served, every defect refused.
        let expect = fixture.pki.manifest.devices.map { "\($0.id)\t\(ServeCommandTests.backendVerdicts[$0.defect]!)" }
            .joined(separator: "\n")
        let expectPath = try fixture.directory.write("expect.tsv", expect + "\n")
        let run = try await FleetsimBinary.run(
            [
                "run", "--target", "127.0.0.1:\(server.port)", "--dir", layout.directory, "--server-name", "localhost",
                "--protocol", "mqtt", "--expect", expectPath, "--quiet",
            ],
            in: fixture.directory
        )
        #expect(run.status == 0, "\(run.output)")
        #expect(server.process.isRunning)
        try await slow.waitUntilClosedByPeer("the slowloris connections after the handshake timeout")
        try await idle.prefix(50).waitUntilClosedByPeer("50 idle connections after the handshake timeout")
        for connection in idle { connection.close() }

        // Every connection gets its verdict in the audit log (a connect refused under the flood
        // gets none): wait for the matrix's devices and more than 7,000 lines.
        let matrix = fixture.pki.manifest.devices.filter { $0.defect != .keyMismatch }.map(\.id)
        try await audit.waitForDevices(matrix, timeout: .seconds(30))
        let records = try await audit.waitForLines(7001, timeout: .seconds(30))
        let goodIDs = Set(fixture.pki.manifest.devices.filter { $0.defect == .none }.map(\.id))
        let accepted = records.filter { $0.verdict == "accepted" }.compactMap(\.deviceID)
        let wronglyAccepted = accepted.filter { !goodIDs.contains($0) }
        #expect(wronglyAccepted.isEmpty, "policy-failing devices accepted: \(wronglyAccepted)")
        #expect(Set(accepted) == goodIDs)
        // The hostile streams of the authenticated device each got a verdict the backend can give: a
        // valid CONNECT accepted (the garbage after it closes the session), a protocol error, or
        // the device gone before a complete CONNECT. (Which one depends on where the bytes cut.)
        let verdicts = records.filter { $0.deviceID == good }.map { $0.outcome ?? "ok" }
        let allowed: Set<String> = ["ok", "protocol-error", "closed-by-server", "accept-timeout"]
        #expect(verdicts.allSatisfy { allowed.contains($0) || $0.hasPrefix("mqtt-refused:") }, "\(Set(verdicts))")
        #expect(verdicts.filter { $0 == "protocol-error" }.count > 0)
    }
}
