import FleetCore
import FleetMQTT
import NIOCore

/// A device's MQTT framing, done in its own channel handler rather than by two more pipeline
/// handlers (#18): plaintext from the TLS handler in, whole packets out; packets encoded straight
/// into the one buffer the TLS handler encrypts.
///
/// Profiled against Mosquitto (fast wolfSSL, one device at a time), NIO's `ByteToMessageHandler`
/// and `MessageToByteHandler` around the decoder and encoder held ~30 µs of perf's samples per
/// device (perf inflates short calls about twofold): two generic handlers made per connection
/// (their metadata looked up at run time), every packet boxed into and cast back out of `NIOAny`,
/// and two more pipeline steps for every event of the connection. The server (``Backend``) keeps
/// them: there a connection lives long.
///
/// The rules are the decoder's (``MQTTDecoder/parse(_:version:maximumPacketSize:)``): strict,
/// bounded by its maximum packet size, nothing read past a packet's own length. After a malformed
/// packet nothing more is read, as `ByteToMessageHandler` does.
struct DeviceMQTTFraming {
    let version: MQTTVersion
    /// Bytes not read yet: whole packets while the device handles the one before them, then the
    /// start of a packet not complete yet (bounded: a longer announced length is malformed).
    private var pending: ByteBuffer?
    private(set) var malformed = false

    init(version: MQTTVersion) {
        self.version = version
    }

    /// Adds the next plaintext after what is still unread.
    mutating func append(_ bytes: ByteBuffer) {
        guard !self.malformed else { return }
        guard var pending = self.pending.take() else {
            self.pending = bytes
            return
        }
        var bytes = bytes
        pending.discardReadBytes()
        pending.writeBuffer(&bytes)
        self.pending = pending
    }

    /// The next complete packet, or nil until more bytes come. Throws a malformed packet's error;
    /// nothing is read after it. One packet at a time, so that no access is held while the device
    /// handles it (it may close the connection, and its channel go inactive, meanwhile).
    mutating func next() throws -> MQTTPacket? {
        guard !self.malformed, var buffer = self.pending.take() else { return nil }
        let packet: MQTTPacket?
        do {
            packet = try MQTTDecoder.parse(&buffer, version: self.version)
        } catch {
            self.malformed = true
            throw error
        }
        if buffer.readableBytes > 0 { self.pending = buffer }
        return packet
    }

    /// The bytes of a packet the connection ended inside of, if any: `ByteToMessageHandler` reports
    /// them as `leftoverDataWhenDone`, and so does the device. Whole packets not read yet (the
    /// device closed while handling the one before) are not a cut packet.
    var leftover: ByteBuffer? {
        guard !self.malformed, var rest = self.pending else { return nil }
        if case .some(.some) = try? MQTTDecoder.parse(&rest, version: self.version) { return nil }
        return self.pending
    }

    /// One packet, encoded in `version` into a buffer of `allocator`'s, ready for the TLS handler.
    static func encode(_ packet: MQTTPacket, version: MQTTVersion, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        MQTTEncoder.encode(packet, version: version, into: &buffer)
        return buffer
    }
}
