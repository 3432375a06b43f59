import NIOCore
import NIOHTTP1
import NIOPosix

/// The small HTTP/1 servers of fleetsim (`--metrics`, `pki ocsp`): a listening channel whose
/// connections each get NIO's HTTP/1 codec, its error handler (a `400` for bytes that are not
/// HTTP) and one handler of the caller's.
public enum HTTPListener {
    /// Binds `host:port` (port 0: any free port) with `makeHandler()` on every connection, built on
    /// that connection's event loop.
    ///
    /// - Throws: NIO's error when the address cannot be bound.
    public static func bind(
        host: String,
        port: Int,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        makeHandler: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(makeHandler())
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}

extension ChannelHandlerContext {
    /// Writes a whole response — head with Content-Type and Content-Length, `body`, end — and
    /// closes the connection once it is flushed unless the request was keep-alive and `close` is
    /// false.
    public func writeHTTPResponse(
        _ body: [UInt8],
        status: HTTPResponseStatus,
        contentType: String,
        to request: HTTPRequestHead,
        extraHeaders: [(String, String)] = [],
        close: Bool = false
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(contentsOf: extraHeaders)
        let keepAlive = request.isKeepAlive && !close
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
        self.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        self.write(
            NIOAny(HTTPServerResponsePart.body(.byteBuffer(self.channel.allocator.buffer(bytes: body)))),
            promise: nil
        )
        let done = self.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if !keepAlive {
            let bound = NIOLoopBound(self, eventLoop: self.eventLoop)
            done.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
