import Foundation

/// A loopback TCP proxy in a few lines of Python's asyncio that holds every chunk `delayMs`
/// before passing it on, both ways: a backend that got slower, for baseline-regression tests.
/// Started on 127.0.0.1 with an ephemeral port and stopped by pid like every foreign peer.
public final class DelayProxy: Sendable {
    public let port: Int
    public let process: ForeignProcess

    static let script = #"""
        import asyncio, sys
        target_port, delay = int(sys.argv[1]), float(sys.argv[2]) / 1000

        async def pipe(reader, writer):
            try:
                while True:
                    chunk = await reader.read(65536)
                    if not chunk:
                        break
                    await asyncio.sleep(delay)
                    writer.write(chunk)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        async def handle(client_reader, client_writer):
            try:
                server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
            except OSError:
                client_writer.close()
                return
            await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

        async def main():
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            print("listening on 127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
            async with server:
                await server.serve_forever()

        asyncio.run(main())
        """#

    /// Forwards 127.0.0.1:`port` (returned) to 127.0.0.1:`target`, each chunk `delayMs` late.
    public init(to target: Int, delayMs: Int, in directory: TemporaryDirectory) async throws {
        let tag = UUID().uuidString.prefix(6)
        let script = try directory.write("delay-proxy-\(tag).py", Self.script)
        let process = try ForeignProcess(
            "/usr/bin/python3",
            [script, "\(target)", "\(delayMs)"],
            in: directory,
            name: "delay-proxy-\(tag)"
        )
        self.port = try await process.portOrStop(after: "listening on")
        self.process = process
    }

    public func stop() { self.process.stop() }
}
