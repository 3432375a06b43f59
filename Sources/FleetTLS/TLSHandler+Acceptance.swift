import NIOCore

/// How a device learns it was accepted after a TLS 1.3 handshake (a ticket, data, or a clean
/// close), and the resumable session handed over just before.
extension TLSHandler {
    /// Hands the device its resumable session once, before the acceptance event.
    func deliverSession(context: ChannelHandlerContext) {
        guard self.connection.role == .client, !self.sessionDelivered else { return }
        self.sessionDelivered = true
        if let session = self.connection.resumableSession() {
            context.fireUserInboundEventTriggered(TLSEvent.sessionReady(session))
        }
    }

    /// What told a device the server accepted it after a TLS 1.3 handshake.
    enum AcceptSignal {
        case ticket, data, closeNotify

        var traceText: String {
            switch self {
            case .ticket: "NewSessionTicket: the server accepted the device"
            case .data: "first application data: the server accepted the device"
            case .closeNotify: "close_notify after the handshake, no alert: the server let the device in, then closed"
            }
        }
    }

    func markAccepted(context: ChannelHandlerContext, signal: AcceptSignal) {
        guard case .active(accepted: false) = self.state else { return }
        self.state = .active(accepted: true)
        self.connection.trace?.record(.received, signal.traceText)
        context.fireUserInboundEventTriggered(TLSEvent.accepted(at: .now()))
    }
}
