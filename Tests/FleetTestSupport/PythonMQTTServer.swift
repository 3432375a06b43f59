import Foundation

/// An MQTT 3.1.1 server over mutual TLS in a few lines of Python's `ssl` module, for the refusals
/// that come after TLS, as AWS IoT Core makes them: it completes TLS (with session tickets in
/// TLS 1.3, so the device knows TLS was accepted), reads the CONNECT, and then
/// - `closeAfterConnect`: closes without a CONNACK (a policy denial on MQTT 3.1.1);
/// - `justInTimeRegistration`: closes the first connection of each client id, and accepts every
///   later one with CONNACK 0 (a new certificate's just-in-time registration);
/// - `splitConnack`: CONNACK 0 in two TLS records (its first byte, then the rest);
/// - `malformedConnack`: a CONNACK with a fixed-header flag set (MQTT 3.1.1 §3.2.1: malformed);
/// - `cutConnack`: the first two bytes of a CONNACK, then close_notify.
/// Started on 127.0.0.1 and stopped by pid like every foreign peer.
public final class PythonMQTTServer: Sendable {
    public enum Behaviour: String, Sendable {
        case closeAfterConnect = "close"
        case justInTimeRegistration = "jitr"
        case splitConnack = "split"
        case malformedConnack = "malformed"
        case cutConnack = "cut"
    }

    public let port: Int
    public let process: ForeignProcess

    static let script = #"""
        import socket, ssl, sys, threading
        port, cert, key, ca, behaviour, version = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_3 if version == "1.3" else ssl.TLSVersion.TLSv1_2
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(ca)
        context.load_cert_chain(cert, key)
        seen, lock = set(), threading.Lock()
        listener = socket.create_server(("127.0.0.1", port))
        print("ACCEPT", flush=True)
        def exactly(tls, n):
            data = b""
            while len(data) < n:
                chunk = tls.recv(n - len(data))
                if not chunk: raise EOFError("closed")
                data += chunk
            return data
        def serve(raw):
            try:
                tls = context.wrap_socket(raw, server_side=True)
                first = exactly(tls, 1)[0]
                length, shift = 0, 0
                while True:
                    byte = exactly(tls, 1)[0]
                    length |= (byte & 0x7F) << shift
                    shift += 7
                    if byte < 0x80: break
                body = exactly(tls, length)
                if first >> 4 != 1: raise ValueError("not CONNECT")
                at = 2 + body[1] + 4  # protocol name, level, flags, keep-alive
                client = body[at + 2: at + 2 + (body[at] << 8 | body[at + 1])].decode()
                with lock:
                    known = client in seen
                    seen.add(client)
                print("CONNECT", client, "known" if known else "new", flush=True)
                if behaviour == "close" or (behaviour == "jitr" and not known):
                    return
                if behaviour == "cut":
                    tls.sendall(bytes([0x20, 2]))
                    tls.unwrap()
                    return
                if behaviour == "split":
                    tls.sendall(bytes([0x20]))
                    tls.sendall(bytes([2, 0, 0]))
                else:
                    tls.sendall(bytes([0x21 if behaviour == "malformed" else 0x20, 2, 0, 0]))
                tls.recv(16)
            except Exception as error:
                print("connection:", error, flush=True)
            finally:
                raw.close()
        for _ in range(10000):
            raw, _ = listener.accept()
            threading.Thread(target=serve, args=(raw,), daemon=True).start()
        """#

    /// - Parameters: the server's chain and key files, the CA file it trusts for devices, and the
    ///   one TLS version ("1.2" or "1.3") it speaks.
    public init(
        certfile: String,
        keyfile: String,
        cafile: String,
        behaviour: Behaviour,
        tlsVersion: String,
        in directory: TemporaryDirectory
    ) async throws {
        let tag = UUID().uuidString.prefix(6)
        let script = try directory.write("mqtt-server-\(tag).py", Self.script)
        (self.process, self.port) = try await ForeignProcess.listening(ready: "ACCEPT", name: "python mqtt server") {
            port in
            try ForeignProcess(
                "python3",
                [script, "\(port)", certfile, keyfile, cafile, behaviour.rawValue, tlsVersion],
                in: directory,
                name: "mqtt-server-\(tag)-\(port)"
            )
        }
    }

    public func stop() {
        self.process.stop()
    }
}
