import Foundation

/// A TLS 1.3 server in a few lines of Python's `ssl` module, for behaviour no stock server has on a
/// switch: it requires and verifies a client certificate, sends **no session ticket**, and after
/// each handshake either closes cleanly (`close_notify`, no alert) or just stays silent.
/// Started on 127.0.0.1 and stopped by pid like every foreign peer.
public final class PythonTLSServer: Sendable {
    public enum Behaviour: String, Sendable {
        /// close_notify right after the handshake: the server let the device in, then closed.
        case closeNotify = "close"
        /// Nothing after the handshake until the device closes.
        case silent
    }

    public let port: Int
    public let process: ForeignProcess

    static let script = #"""
        import socket, ssl, sys, threading
        port, cert, key, ca, behaviour = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.num_tickets = 0
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(ca)
        context.load_cert_chain(cert, key)
        listener = socket.create_server(("127.0.0.1", port))
        print("ACCEPT", flush=True)
        def serve(raw):
            try:
                tls = context.wrap_socket(raw, server_side=True)
                if behaviour == "close":
                    tls.unwrap()
                else:
                    tls.recv(1)
            except Exception as error:
                print("connection:", error, flush=True)
            finally:
                raw.close()
        for _ in range(10000):
            raw, _ = listener.accept()
            threading.Thread(target=serve, args=(raw,), daemon=True).start()
        """#

    /// - Parameters: `chainPEM`/`keyPEM` the server's identity, `clientCAPEM` what it trusts for devices.
    public init(
        chainPEM: String,
        keyPEM: String,
        clientCAPEM: String,
        behaviour: Behaviour,
        in directory: TemporaryDirectory
    ) async throws {
        let tag = UUID().uuidString.prefix(6)
        let script = try directory.write("tls-server-\(tag).py", Self.script)
        let cert = try directory.write("tls-server-\(tag).pem", chainPEM)
        let key = try directory.write("tls-server-\(tag).key", keyPEM)
        let ca = try directory.write("tls-server-\(tag)-ca.pem", clientCAPEM)
        (self.process, self.port) = try await ForeignProcess.listening(ready: "ACCEPT", name: "python ssl server") {
            port in
            try ForeignProcess(
                "python3",
                [script, "\(port)", cert, key, ca, behaviour.rawValue],
                in: directory,
                name: "tls-server-\(tag)-\(port)"
            )
        }
    }

    public func stop() {
        self.process.stop()
    }
}
