import FleetCore
import FleetFuzzSupport
import FleetMQTT
import Foundation
import NIOCore

/// Fuzz target for the MQTT decoder: whatever the bytes, `MQTTDecoder.parse` either throws
/// `MQTTProtocolError`, asks for more, or returns a packet that encodes and parses back to itself,
/// never reading past the input. Built with `-sanitize=fuzzer` (make fuzz) it is a libFuzzer target;
/// built normally it replays a corpus (files or folders given as arguments).
enum MQTTFuzz {
    /// The same bytes are read as MQTT 3.1.1 and as MQTT 5 (properties, reason codes).
    static func check(_ bytes: [UInt8]) {
        for version in MQTTVersion.allCases { Self.check(bytes, version: version) }
    }

    static func check(_ bytes: [UInt8], version: MQTTVersion) {
        var buffer = ByteBuffer(bytes: bytes)
        while buffer.readableBytes > 0 {
            let before = buffer.readableBytes
            let packet: MQTTPacket?
            do {
                packet = try MQTTDecoder.parse(&buffer, version: version)
            } catch is MQTTProtocolError {
                return
            } catch {
                fatalError("the decoder threw something other than MQTTProtocolError: \(error)")
            }
            guard let packet else {
                precondition(buffer.readableBytes == before, "an incomplete packet consumed bytes")
                return
            }
            precondition(buffer.readableBytes < before, "a packet was parsed from no bytes")
            var encoded = ByteBuffer()
            MQTTEncoder.encode(packet, version: version, into: &encoded)
            let again: MQTTPacket?
            do {
                again = try MQTTDecoder.parse(&encoded, version: version)
            } catch {
                fatalError("a decoded packet did not encode to a valid packet: \(packet) → \(error)")
            }
            precondition(again == packet, "round trip changed the packet: \(packet) → \(String(describing: again))")
            precondition(encoded.readableBytes == 0, "the encoding of \(packet) has trailing bytes")
        }
    }
}

#if FUZZING
    @_cdecl("fleetsim_fuzz_mqtt_main")
    public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
        runLibFuzzer(argc, argv) { data, size in
            MQTTFuzz.check(fuzzInput(data, size))
            return 0
        }
    }
#else
    @main
    struct MQTTFuzzReplay {
        static func main() {
            let count = FuzzCorpus.replay(CommandLine.arguments.dropFirst(), MQTTFuzz.check)
            print("replayed \(count) inputs through the MQTT decoder: no failure")
        }
    }
#endif
