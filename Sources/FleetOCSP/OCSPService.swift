import FleetPKI
import Foundation
import NIOConcurrencyHelpers

/// The responder of a PKI directory, kept as current as `fleet.json`: before each answer the
/// manifest's ``FileStamp`` is compared with the one the responder was loaded from, and a changed
/// file reloads the responder (CA, devices, revocations, signer). So `pki revoke` shows in the very
/// next response, with no restart and no polling thread.
///
/// Fail closed: while the PKI cannot be loaded (a broken `fleet.json`, a missing key) every request
/// is answered `internalError`, never from the last good state, which could hide a revocation.
///
/// Shared by every connection on every event loop; the reload itself (file reads, a few ms for
/// 10,000 devices) happens on the loop of the request that noticed it.
public final class OCSPService: Sendable {
    public let directory: String
    public let role: OCSPSignerRole
    public let validity: TimeInterval
    private let manifestPath: String
    private let state: NIOLockedValueBox<State>
    private let onReload: @Sendable (Result<OCSPResponder, any Error>) -> Void

    private struct State: Sendable {
        var stamp: FileStamp?
        var responder: Result<OCSPResponder, any Error>
        var counts = OCSPCounts()
    }

    /// Loads the responder once; the first load's error is thrown, so a bad PKI stops start-up.
    ///
    /// - Parameter onReload: told about each reload after the first (to log it).
    /// - Throws: as ``OCSPResponder/load(directory:signer:validity:now:)``.
    public init(
        directory: String,
        role: OCSPSignerRole,
        validity: TimeInterval,
        onReload: @escaping @Sendable (Result<OCSPResponder, any Error>) -> Void = { _ in }
    ) throws {
        self.directory = directory
        self.role = role
        self.validity = validity
        self.manifestPath = PKILayout(directory: directory).manifest
        self.onReload = onReload
        let stamp = FileStamp(path: self.manifestPath)
        let responder = try OCSPResponder.load(directory: directory, signer: role, validity: validity)
        self.state = NIOLockedValueBox(State(stamp: stamp, responder: .success(responder)))
    }

    /// The responder as of now: reloaded first when `fleet.json` changed, or while the last load
    /// failed (whichever file was broken may have been fixed).
    public var current: Result<OCSPResponder, any Error> {
        let stamp = FileStamp(path: self.manifestPath)
        let known = self.state.withLockedValue { state -> OCSPResponder? in
            guard state.stamp == stamp, stamp != nil, case .success(let responder) = state.responder else { return nil }
            return responder
        }
        if let known { return .success(known) }
        // Stamp first, then read: a write racing the read changes the stamp again, and the next
        // request reloads once more.
        let reloaded = Result {
            try OCSPResponder.load(directory: self.directory, signer: self.role, validity: self.validity)
        }
        let changed = self.state.withLockedValue { state in
            defer {
                state.stamp = stamp
                state.responder = reloaded
            }
            // A failure repeated on every request is told once.
            if case .failure = state.responder, case .failure = reloaded { return false }
            return true
        }
        if changed { self.onReload(reloaded) }
        return reloaded
    }

    /// Answers `request` (nil: the request could not even be read, e.g. too large): the response
    /// bytes, counted.
    public func answer(_ request: [UInt8]?, now: Date = Date()) -> OCSPResponder.Answer {
        let answer: OCSPResponder.Answer =
            switch (request, self.current) {
            case (nil, _): .error(.malformedRequest)
            case (_, .failure): .error(.internalError)
            case (let request?, .success(let responder)): responder.answer(request, now: now)
            }
        self.state.withLockedValue { $0.counts.add(answer) }
        return answer
    }

    /// What has been answered so far.
    public var counts: OCSPCounts { self.state.withLockedValue { $0.counts } }
}

/// Responses by outcome, for the line `pki ocsp` prints when it stops.
public struct OCSPCounts: Sendable, Equatable {
    public private(set) var responses = 0
    public private(set) var good = 0
    public private(set) var revoked = 0
    public private(set) var unknown = 0
    /// Responses that were not `successful`, by status.
    public private(set) var errors: [OCSPResponse.Status: Int] = [:]

    mutating func add(_ answer: OCSPResponder.Answer) {
        self.responses += 1
        if answer.status != .successful { self.errors[answer.status, default: 0] += 1 }
        for status in answer.statuses {
            switch status {
            case .good: self.good += 1
            case .revoked: self.revoked += 1
            case .unknown: self.unknown += 1
            }
        }
    }
}
