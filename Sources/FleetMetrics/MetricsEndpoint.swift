import FleetHTTP
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Serves a Prometheus registry over HTTP: `GET /metrics` answers the text exposition format
/// (version 0.0.4); anything else is 404. Runs on the process's event loops, beside the devices.
public final class MetricsEndpoint: Sendable {
    public let channel: any Channel

    /// Binds `host:port` (port 0: any free port; see ``port``).
    public init(
        host: String,
        port: Int,
        registry: PrometheusCollectorRegistry,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws {
        self.channel = try await HTTPListener.bind(host: host, port: port, group: group) {
            MetricsHandler(registry: registry)
        }
    }

    /// The port actually bound.
    public var port: Int { self.channel.localAddress?.port ?? 0 }

    public func stop() async {
        try? await self.channel.close()
    }
}

/// One HTTP connection of the metrics endpoint.
final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private var head: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            let found = head.method == .GET && (head.uri == "/metrics" || head.uri.hasPrefix("/metrics?"))
            let body = found ? self.registry.emitToBuffer() : Array("not found: the metrics are at /metrics\n".utf8)
            context.writeHTTPResponse(
                body,
                status: found ? .ok : .notFound,
                contentType: found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain",
                to: head
            )
        }
    }
}

@available(*, unavailable)
extension MetricsHandler: Sendable {}
