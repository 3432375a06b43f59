import FleetHTTP
import FleetPKI
import NIOCore
import NIOHTTP1

/// One HTTP connection to the OCSP responder (RFC 6960 Appendix A): a POST carries the DER request
/// as its body (`application/ocsp-request`), a GET carries it base64 in the path; either way the
/// answer is `200` with an `application/ocsp-response` body, also for OCSP-level errors
/// (`malformedRequest`, `unauthorized`…), as clients expect.
///
/// A request body over ``maximumRequestSize`` is answered `413` (with a `malformedRequest` body)
/// and the connection closed as soon as the size is known, so nobody can make the responder
/// buffer more. Other methods get `405`; requests that are not HTTP get NIO's `400`.
final class OCSPHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Far above any real request (one CertID with a nonce is ~120 bytes), far below memory trouble.
    static let maximumRequestSize = 65_536

    private let service: OCSPService
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    /// Answered 413 and closing: whatever else arrives is dropped.
    private var refused = false

    init(service: OCSPService) {
        self.service = service
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.refused else { return }
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body.clear()
            let declared = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
            if declared > Self.maximumRequestSize { self.refuse(context: context, head: head) }
        case .body(var part):
            guard let head = self.head else { return }
            guard self.body.readableBytes + part.readableBytes <= Self.maximumRequestSize else {
                return self.refuse(context: context, head: head)
            }
            self.body.writeBuffer(&part)
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            self.respond(context: context, head: head)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let limit = Self.maximumRequestSize
        switch head.method {
        case .POST:
            let request = self.body.readBytes(length: self.body.readableBytes) ?? []
            self.send(self.service.answer(request).bytes, status: .ok, head: head, context: context)
        case .GET:
            let request = OCSPGetRequest.der(in: head.uri, limit: limit) { (try? OCSPRequest(derEncoded: $0)) != nil }
            self.send(self.service.answer(request).bytes, status: .ok, head: head, context: context)
        default:
            let text = Array("an OCSP responder: POST an application/ocsp-request, or GET /<base64 request>\n".utf8)
            self.send(text, status: .methodNotAllowed, head: head, context: context, type: "text/plain")
        }
    }

    private func refuse(context: ChannelHandlerContext, head: HTTPRequestHead) {
        self.refused = true
        self.head = nil
        self.body = ByteBuffer()
        _ = self.service.answer(nil)
        let bytes = OCSPResponse.error(.malformedRequest)
        self.send(bytes, status: .payloadTooLarge, head: head, context: context, close: true)
    }

    private func send(
        _ body: [UInt8],
        status: HTTPResponseStatus,
        head: HTTPRequestHead,
        context: ChannelHandlerContext,
        type: String = "application/ocsp-response",
        close: Bool = false
    ) {
        context.writeHTTPResponse(
            body,
            status: status,
            contentType: type,
            to: head,
            extraHeaders: status == .methodNotAllowed ? [("Allow", "GET, POST")] : [],
            close: close
        )
    }
}

@available(*, unavailable)
extension OCSPHTTPHandler: Sendable {}
