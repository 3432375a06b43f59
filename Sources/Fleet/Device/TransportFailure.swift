import FleetCore
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Maps errors from the TCP layer onto the outcomes of DESIGN.md §5.
///
/// Connect errors reach us as `IOError` (an errno) or `NIOConnectionError` (one per address tried);
/// running out of descriptors or ports is our problem (`local-resource`), not the server's.
enum TransportFailure {
    static func outcome(for error: any Error) -> (Outcome, String) {
        if let connection = error as? NIOConnectionError {
            if connection.dnsAAAAError != nil && connection.dnsAError != nil {
                return (.dnsFailure, "could not resolve \(connection.host)")
            }
            if let first = connection.connectionErrors.first {
                return Self.outcome(for: first.error)
            }
        }
        if let channelError = error as? ChannelError {
            switch channelError {
            case .connectTimeout:
                return (.tcpTimeout, "the TCP connection was not established in time")
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed:
                return (.closedByServer, "the connection was closed")
            default:
                return (.protocolError, "channel error: \(channelError)")
            }
        }
        if let io = error as? IOError {
            return Self.outcome(errno: io.errnoCode, description: io.description)
        }
        return (.protocolError, String(describing: error))
    }

    static func outcome(errno code: Int32, description: String) -> (Outcome, String) {
        switch code {
        case ECONNREFUSED:
            return (.tcpRefused, "connection refused: nothing listens on the target port")
        case ETIMEDOUT, EHOSTUNREACH, ENETUNREACH:
            return (.tcpTimeout, "the target did not answer the TCP connect (\(description))")
        case ECONNRESET, EPIPE:
            return (.tcpReset, "the connection was reset by the peer")
        case EMFILE, ENFILE:
            return (.localResource, "out of file descriptors on the simulator (raise `ulimit -n`)")
        case EADDRNOTAVAIL, EADDRINUSE:
            return (
                .localResource,
                "out of ephemeral ports on the simulator's source address, or that address is not one of this machine's (spread connections with --source-ip)"
            )
        case ENOMEM, ENOBUFS:
            return (.localResource, "the simulator ran out of memory or socket buffers")
        default:
            return (.protocolError, description)
        }
    }
}
