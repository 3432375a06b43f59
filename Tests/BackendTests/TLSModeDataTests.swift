import FleetCore
import NIOCore
import Testing

/// In `tls` mode a device may send application data (`s_client` forwards its stdin): the session
/// drops it and stays up. It used to be unwrapped as MQTT, which trapped the whole server.
@Suite struct TLSModeDataTests {
    @Test func applicationDataInTLSModeIsDroppedNotFatal() throws {
        let session = try SessionHarness(.tls)
        session.admit("tcu-0042")
        var bytes = ByteBufferAllocator().buffer(capacity: 1)
        bytes.writeString("\n")
        try session.channel.writeInbound(bytes)
        #expect(session.isOpen)
        #expect(session.audit.count == 1)
        #expect(session.audit.first?.verdict == "accepted")
    }
}
