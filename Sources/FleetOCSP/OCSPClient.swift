import FleetPKI
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Asks an OCSP responder over HTTP/1 (RFC 6960 Appendix A.1: a `POST` of the DER request as
/// `application/ocsp-request`), without blocking anybody: a SwiftNIO client on its own event loops,
/// awaited from a task. That is the point of it — wolfSSL 5.5.4's own lookup is a blocking socket
/// call made inside the handshake, which would stall every connection of an event loop.
///
/// Bounded: one connection per question, a deadline for the whole exchange, and an answer of at
/// most ``maximumResponseBytes``.
public struct OCSPClient: Sendable {
    /// Responses are small (a few hundred bytes; a few KB with a delegated responder's chain).
    public static let maximumResponseBytes = 64 * 1024

    public let group: any EventLoopGroup
    /// The deadline of one question: connecting, sending, and reading the whole answer.
    public let timeout: TimeAmount

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, timeout: TimeAmount = .seconds(5)) {
        self.group = group
        self.timeout = timeout
    }

    /// Why no answer came back.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// POSTs `request` to `url` and returns the body of a `200` answer.
    ///
    /// - Throws: ``Failure`` naming the URL: no connection, the deadline passed, another HTTP
    ///   status, an answer over the bound.
    public func post(_ request: [UInt8], to url: OCSPURL) async throws(Failure) -> [UInt8] {
        let timeout = self.timeout
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: self.group)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    }
                }
                .connect(host: url.host, port: url.port)
                .get()
        } catch {
            throw Failure(description: "could not connect to \(url) (\(Self.reason(error)))")
        }
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(Failure(description: "\(url) did not answer within \(timeout.nanoseconds / 1_000_000) ms"))
            channel.close(promise: nil)
        }
        let exchange = channel.eventLoop.submit {
            let handler = OCSPAnswerReader(url: url, promise: promise)
            try channel.pipeline.syncOperations.addHandler(handler)
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: url.port == 80 ? url.host : "\(url.host):\(url.port)")
            headers.add(name: "Content-Type", value: "application/ocsp-request")
            headers.add(name: "Accept", value: "application/ocsp-response")
            headers.add(name: "Content-Length", value: String(request.count))
            headers.add(name: "Connection", value: "close")
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: url.path, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.write(
                HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: request))),
                promise: nil
            )
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }
        exchange.cascadeFailure(to: promise)
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

extension OCSPClient {
    /// A connection failure in a few words: the errno's text (e.g. "Connection refused"), or
    /// NIO's description for what has none.
    static func reason(_ error: any Error) -> String {
        if let failure = error as? NIOConnectionError,
            let io = failure.connectionErrors.lazy.compactMap({ $0.error as? IOError }).first
        {
            return String(cString: strerror(io.errnoCode))
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(error)"
    }
}

/// Collects one HTTP answer into a promise: the body of a `200`, a failure for anything else.
private final class OCSPAnswerReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let url: OCSPURL
    private let promise: EventLoopPromise<[UInt8]>
    private var status: HTTPResponseStatus?
    private var body: [UInt8] = []

    init(url: OCSPURL, promise: EventLoopPromise<[UInt8]>) {
        self.url = url
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.status = head.status
        case .body(let buffer):
            guard self.body.count + buffer.readableBytes <= OCSPClient.maximumResponseBytes else {
                self.fail(context, "\(self.url) answered more than \(OCSPClient.maximumResponseBytes) bytes")
                return
            }
            self.body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard self.status == .ok else {
                self.fail(
                    context,
                    "\(self.url) answered HTTP \(self.status.map { "\($0.code)" } ?? "without a status")"
                )
                return
            }
            self.promise.succeed(self.body)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.promise.fail(OCSPClient.Failure(description: "\(self.url) closed the connection before answering"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(context, "\(self.url): \(error)")
    }

    private func fail(_ context: ChannelHandlerContext, _ why: String) {
        self.promise.fail(OCSPClient.Failure(description: why))
        context.close(promise: nil)
    }
}
