import FleetPKI
import Foundation
import NIOConcurrencyHelpers
import X509

/// The backend's OCSP check of device certificates (`serve --device-ocsp`), answered from a cache
/// inside wolfSSL's verify callback and never by asking a responder there: a lookup is network I/O,
/// and the callback runs on an event loop that serves thousands of other connections. A device
/// whose status is not known is refused at once — fail closed — and a lookup is asked for, off the
/// loop (``lookups``); its next connection is judged by the answer.
///
/// Statuses are kept until the response's nextUpdate (or ``defaultLifetime`` when it has none) and
/// asked again after half of that, so a busy device never meets an expired entry; a failed lookup
/// is retried after ``retryAfter``. At most ``capacity`` certificates are kept.
///
/// **Thread-safety:** `Sendable`; the cache is behind a lock, touched once per full handshake.
public final class DeviceOCSP: Sendable {
    /// Who answers: called (on the event loop, so it must only enqueue) for each certificate whose
    /// status is missing or due for a refresh, at most once until ``record(_:for:)`` is called.
    public typealias Lookups = @Sendable (_ leaf: Certificate, _ issuer: Certificate) -> Void

    public static let defaultLifetime: TimeInterval = 3600
    public static let retryAfter: TimeInterval = 5
    public static let capacity = 200_000

    /// A certificate, as its issuer and serial name it.
    public struct Key: Hashable, Sendable {
        let issuer: DistinguishedName
        let serial: [UInt8]

        public init(_ certificate: Certificate) {
            self.issuer = certificate.issuer
            self.serial = Array(certificate.serialNumber.bytes)
        }
    }

    struct Entry {
        var verdict: OCSPVerdict
        /// Ask again from then on (the entry still answers meanwhile).
        var refreshAt: Date
        /// Stop believing it then.
        var expiresAt: Date
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var asked: Set<Key> = []
    }

    /// Where issuers are looked for when the device did not present its own: the trust anchors
    /// and the `--ca-chain` intermediates.
    public let issuers: [Certificate]
    let lookups: Lookups
    private let state = NIOLockedValueBox(State())

    public init(issuers: [Certificate], lookups: @escaping Lookups) {
        self.issuers = issuers
        self.lookups = lookups
    }

    /// Why `leaf` is refused, or nil when its OCSP status is good.
    ///
    /// A stored status is found by the leaf's issuer name and serial, with no cryptography: the
    /// issuer certificate (found by name and signature) is needed only to ask, once per lookup.
    ///
    /// - Parameter presented: the CA certificates the device presented with its leaf, already
    ///   validated by wolfSSL up to a trust anchor; evaluated only when a lookup is asked.
    func refusal(
        of leaf: Certificate,
        presented: @autoclosure () -> [Certificate],
        now: Date = Date()
    ) -> String? {
        let found = self.entry(of: leaf, now: now) {
            CertificateIssuer.find(of: leaf, among: presented() + self.issuers)
        }
        guard found.issuerKnown else {
            return "ocsp-unavailable: its issuer '\(leaf.issuer)' is not known here, so no OCSP request can be made"
        }
        guard let entry = found.entry, entry.expiresAt > now else {
            return "ocsp-pending: its OCSP status is not known yet (asked the responder; refused until it answers)"
        }
        switch entry.verdict {
        case .good: return nil
        case .revoked: return "revoked: OCSP says \(entry.verdict.explanation)"
        case .unknown: return "ocsp-unknown: the OCSP responder does not know this certificate"
        case .unavailable, .invalid: return "ocsp-unavailable: \(entry.verdict.explanation)"
        }
    }

    /// Why a device resuming a session is refused: its status says revoked. A resumed session
    /// exchanges no certificate, so wolfSSL's verify callback never runs; the leaf the backend
    /// remembered for the session is looked up here, after the handshake (and asked again when due
    /// and its issuer is one of ours). Only a known revocation refuses: the session was made after
    /// a good status, and its next full handshake meets the whole check.
    func resumedRefusal(leafDER: [UInt8], now: Date = Date()) -> String? {
        guard let leaf = try? Certificate(derEncoded: leafDER) else { return nil }
        let found = self.entry(of: leaf, now: now) { CertificateIssuer.find(of: leaf, among: self.issuers) }
        guard let entry = found.entry, case .revoked = entry.verdict else { return nil }
        return "revoked: OCSP says \(entry.verdict.explanation)"
    }

    /// Why a held session is dropped: its device's status now says revoked. Called once a second
    /// per open connection, so it is one dictionary lookup by `key` (worked out from the leaf on
    /// the first call and kept by the session); the leaf is parsed again only when its status is
    /// due to be asked again. Only a known revocation drops: a responder that is down does not
    /// cut off devices already admitted.
    func heldRefusal(leafDER: [UInt8], key: Key?, now: Date = Date()) -> (Key?, String?) {
        var key = key
        if key == nil {
            guard let leaf = try? Certificate(derEncoded: leafDER) else { return (nil, nil) }
            key = Key(leaf)
        }
        guard let key else { return (nil, nil) }
        let (entry, due) = self.state.withLockedValue { state -> (Entry?, Bool) in
            let entry = state.entries[key]
            return (entry, (entry.map { $0.refreshAt <= now } ?? true) && !state.asked.contains(key))
        }
        if due { _ = self.resumedRefusal(leafDER: leafDER, now: now) }
        guard let entry, case .revoked = entry.verdict else { return (key, nil) }
        return (key, "revoked: OCSP says \(entry.verdict.explanation)")
    }

    /// The stored status of `leaf`. When there is none or it is due, a lookup is asked for (at most
    /// one in flight per certificate) with the issuer `issuer()` finds; `issuerKnown` is false when
    /// one had to be asked and no issuer was found.
    private func entry(
        of leaf: Certificate,
        now: Date,
        issuer: () -> Certificate?
    ) -> (entry: Entry?, issuerKnown: Bool) {
        let key = Key(leaf)
        let (entry, due) = self.state.withLockedValue { state -> (Entry?, Bool) in
            let entry = state.entries[key]
            let due = entry.map { $0.refreshAt <= now } ?? true
            guard due, !state.asked.contains(key) else { return (entry, false) }
            state.asked.insert(key)
            return (entry, true)
        }
        guard due else { return (entry, true) }
        guard let issuer = issuer() else {
            _ = self.state.withLockedValue { $0.asked.remove(key) }
            return (entry, entry != nil)
        }
        self.lookups(leaf, issuer)
        return (entry, true)
    }

    /// Stores the answer of a lookup asked by ``refusal(of:presented:now:)`` (or a warm-up).
    public func record(_ verdict: OCSPVerdict, for leaf: Certificate, now: Date = Date()) {
        let key = Key(leaf)
        let entry = Self.entry(verdict, now: now)
        self.state.withLockedValue { state in
            state.asked.remove(key)
            if state.entries[key] == nil && state.entries.count >= Self.capacity {
                state.entries.remove(at: state.entries.startIndex)
            }
            state.entries[key] = entry
        }
    }

    /// Marks `leaf` as asked, so a connection does not ask again while a warm-up lookup runs.
    /// Returns false when it is already being asked.
    public func markAsked(_ leaf: Certificate) -> Bool {
        self.state.withLockedValue { $0.asked.insert(Key(leaf)).inserted }
    }

    /// How many certificates have a stored status, by verdict name.
    public var counts: [String: Int] {
        self.state.withLockedValue { state in
            state.entries.values.reduce(into: [:]) { $0[$1.verdict.name, default: 0] += 1 }
        }
    }

    /// When to ask again and when to stop believing: a status until its nextUpdate (asked again
    /// at half of the time left), a failure retried soon and believed meanwhile (it refuses too).
    static func entry(_ verdict: OCSPVerdict, now: Date) -> Entry {
        switch verdict {
        case .unavailable, .invalid:
            let retry = now.addingTimeInterval(Self.retryAfter)
            return Entry(verdict: verdict, refreshAt: retry, expiresAt: .distantFuture)
        case .good, .revoked, .unknown:
            // A nextUpdate already past (by less than the clock skew the check allows) still
            // gets a few seconds: the freshest answer there is, not one to ask again at once.
            let next = verdict.nextUpdate ?? now.addingTimeInterval(Self.defaultLifetime)
            let expires = max(next, now.addingTimeInterval(Self.retryAfter))
            let refresh = now.addingTimeInterval(max(expires.timeIntervalSince(now) / 2, 0))
            return Entry(verdict: verdict, refreshAt: refresh, expiresAt: expires)
        }
    }
}
