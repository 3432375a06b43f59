internal import CWolfSSL
import NIOConcurrencyHelpers

/// The backend's memory of who each TLS session belongs to, for resumed TLS 1.2 sessions.
///
/// A resumed handshake exchanges no certificates. wolfSSL 5.5.4 keeps the device's chain in its
/// session cache (session-id resumption), but a TLS 1.2 session ticket carries none, so after a
/// ticket resumption the backend could not tell which device it is talking to (measured: every
/// `--resumption tickets --tls 1.2` reconnect was refused `mqtt-refused:not-authorized` by its
/// client-id check). The master secret is what a TLS 1.2 resumption keeps: the backend remembers
/// the device of each full handshake under a SHA-256 of it (never the secret itself) and finds it
/// again on resumption. Bounded: the oldest entries go first.
///
/// **Thread-safety:** one lock; touched once per server handshake.
final class ResumedPeers: Sendable {
    /// Who a session's device is, and its leaf certificate (DER) for revocation checks.
    struct Peer: Sendable {
        let identity: PeerIdentity
        let leaf: [UInt8]?
    }

    private struct State {
        var peers: [[UInt8]: Peer] = [:]
        var order: [[UInt8]] = []
        var oldest = 0
    }

    /// Shared by every server context of the process (keys are unique per full handshake).
    static let shared = ResumedPeers()

    /// Sessions remembered: one per device of a large fleet, ~1 KB each with the leaf.
    static let capacity = 200_000
    private let state = NIOLockedValueBox(State())

    func remember(_ peer: Peer, for ssl: OpaquePointer) {
        guard let key = Self.key(ssl) else { return }
        self.state.withLockedValue { state in
            if state.peers.updateValue(peer, forKey: key) == nil {
                if state.order.count < Self.capacity {
                    state.order.append(key)
                } else {
                    state.peers[state.order[state.oldest]] = nil
                    state.order[state.oldest] = key
                    state.oldest = (state.oldest + 1) % Self.capacity
                }
            }
        }
    }

    func peer(for ssl: OpaquePointer) -> Peer? {
        guard let key = Self.key(ssl) else { return nil }
        return self.state.withLockedValue { $0.peers[key] }
    }

    /// SHA-256 of the connection's master secret (from the handshake's arrays: after a ticket
    /// resumption the session object's copy is still empty when the handshake completes); nil when
    /// wolfSSL has none to give.
    static func key(_ ssl: OpaquePointer) -> [UInt8]? {
        var secret: UnsafeMutablePointer<UInt8>?
        var secretLength: UInt32 = 0
        var serverRandom: UnsafeMutablePointer<UInt8>?
        var serverRandomLength: UInt32 = 0
        var clientRandom: UnsafeMutablePointer<UInt8>?
        var clientRandomLength: UInt32 = 0
        guard
            wolfSSL_get_keys(
                ssl,
                &secret,
                &secretLength,
                &serverRandom,
                &serverRandomLength,
                &clientRandom,
                &clientRandomLength
            ) == WOLFSSL_SUCCESS,
            let secret, secretLength > 0,
            UnsafeBufferPointer(start: secret, count: Int(secretLength)).contains(where: { $0 != 0 })
        else { return nil }
        var digest = [UInt8](repeating: 0, count: 32)
        guard wc_Sha256Hash(secret, secretLength, &digest) == 0 else { return nil }
        return digest
    }
}
