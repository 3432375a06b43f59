import FleetPKI
import NIOCore
import NIOHTTP1
import NIOPosix

/// One OCSP request POSTed to a responder (RFC 6960 Appendix A.1), on NIO: `serve --ocsp-staple
/// aia` fetches its own certificate's status with it, away from the TLS event loops' work (the
/// answer is awaited by a task, never by a handshake). Bounded: a connect and answer timeout, and
/// a 64 KB body.
public enum OCSPFetch {
    /// Why there is no response: unreachable, timed out, not 200, too large.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The largest body read (a response for one certificate is well under 4 KB).
    public static let maximumBody = 64 * 1024

    /// POSTs `request` (a DER OCSPRequest) to `url` and returns the body of its 200 answer.
    ///
    /// - Throws: ``Failure`` naming what went wrong.
    public static func post(
        _ request: [UInt8],
        to url: OCSPURL,
        timeout: TimeAmount = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(Failure) -> [UInt8] {
        let promise = group.next().makePromise(of: [UInt8].self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(OCSPAnswerCollector(promise: promise))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            promise.fail(error)
            throw Failure(description: "cannot connect to \(url): \(error)")
        }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: url.path)
        head.headers.add(name: "Host", value: url.port == 80 ? url.host : "\(url.host):\(url.port)")
        head.headers.add(name: "Content-Type", value: "application/ocsp-request")
        head.headers.add(name: "Content-Length", value: "\(request.count)")
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: request))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        // Closing fails the collector's promise if no answer came; after an answer it changes nothing.
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        do {
            return try await promise.futureResult.get()
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "\(url): \(error)")
        }
    }
}

/// Collects one HTTP answer's body; completes its promise exactly once.
final class OCSPAnswerCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<[UInt8]>
    private var body: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<[UInt8]>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head) where head.status != .ok:
            self.finish(.failure(OCSPFetch.Failure(description: "the responder answered HTTP \(head.status.code)")))
        case .head:
            break
        case .body(let buffer):
            guard self.body.count + buffer.readableBytes <= OCSPFetch.maximumBody else {
                self.finish(
                    .failure(OCSPFetch.Failure(description: "the answer is over \(OCSPFetch.maximumBody) bytes"))
                )
                context.close(promise: nil)
                return
            }
            self.body += buffer.readableBytesView
        case .end:
            self.finish(.success(self.body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish(
            .failure(OCSPFetch.Failure(description: "the connection closed before a complete answer (or timed out)"))
        )
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finish(.failure(error))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<[UInt8], any Error>) {
        guard !self.done else { return }
        self.done = true
        self.promise.completeWith(result)
    }
}
