import Backend
import FleetOCSP
import FleetPKI
import Foundation
import NIOPosix
import X509

/// `serve --device-ocsp URL|aia`: device certificates checked by OCSP. The check itself
/// (``DeviceOCSP``) answers from a cache inside the verify callback; this is the side that fills
/// it — lookups queued by the event loops and run here, on an event loop of their own, a bounded
/// number at a time — and the warm-up of a `--dir` fleet before the first device connects.
extension ServeCommand {
    /// Lookups running at once: enough to keep a responder busy, few enough not to flood it.
    static let concurrentOCSPLookups = 16

    /// The OCSP check and the task that answers its lookups (cancel it to stop).
    struct DeviceOCSPService {
        let check: DeviceOCSP
        /// Asks responders on an event loop of its own (the warm-up and the queued lookups share it).
        let lookup: OCSPLookup
        let worker: Task<Void, Never>
    }

    /// The check for `choice`, its issuers read from the CA files (trust anchors and `--ca-chain`).
    func startDeviceOCSP(_ choice: OCSPResponderChoice, caPath: String) throws -> DeviceOCSPService {
        var issuers = try Self.certificates(at: caPath)
        if let caChain { issuers += try Self.certificates(at: caChain) }
        let (queue, enqueue) = AsyncStream.makeStream(
            of: (Certificate, Certificate).self,
            bufferingPolicy: .bufferingOldest(DeviceOCSP.capacity)
        )
        let check = DeviceOCSP(issuers: issuers) { leaf, issuer in enqueue.yield((leaf, issuer)) }
        let lookup = OCSPLookup(client: OCSPClient(group: MultiThreadedEventLoopGroup(numberOfThreads: 1)))
        let worker = Task {
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for await (leaf, issuer) in queue {
                    if running == Self.concurrentOCSPLookups {
                        await group.next()
                        running -= 1
                    }
                    running += 1
                    group.addTask {
                        check.record(await Self.ask(lookup, choice, about: leaf, issuer: issuer), for: leaf)
                    }
                }
            }
        }
        return DeviceOCSPService(check: check, lookup: lookup, worker: worker)
    }

    /// Asks each device of a `fleetsim pki` directory before `serve` listens, so a fleet's first
    /// connections are judged by their status rather than refused as not yet known. Bounded by
    /// the time given; what is not answered by then is asked on first connection.
    static func warm(
        _ service: DeviceOCSPService,
        _ choice: OCSPResponderChoice,
        layout: PKILayout,
        within seconds: TimeInterval
    ) async -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: layout.devices)) ?? []
        let issuers = service.check.issuers
        let pairs: [(Certificate, Certificate)] = files.filter { $0.hasSuffix(".pem") }.sorted().compactMap { name in
            guard let chain = try? PEMFile.certificates(at: "\(layout.devices)/\(name)"), let leaf = chain.first,
                let issuer = CertificateIssuer.find(of: leaf, among: Array(chain.dropFirst()) + issuers)
            else { return nil }
            return (leaf, issuer)
        }
        let lookup = service.lookup
        let deadline = Date().addingTimeInterval(seconds)
        return await withTaskGroup(of: Void.self) { group in
            var next = pairs.makeIterator()
            var answered = 0
            func start() -> Bool {
                while Date() < deadline, let (leaf, issuer) = next.next() {
                    // One a connection already asked about is answered by that lookup.
                    guard service.check.markAsked(leaf) else { continue }
                    group.addTask {
                        service.check.record(await Self.ask(lookup, choice, about: leaf, issuer: issuer), for: leaf)
                    }
                    return true
                }
                return false
            }
            for _ in 0..<Self.concurrentOCSPLookups where start() {}
            while await group.next() != nil {
                answered += 1
                _ = start()
            }
            return answered
        }
    }

    /// With `--drop-revoked`: once a second, every open connection looks its device's status up
    /// again; one the responder has revoked since it was admitted is dropped. Runs until cancelled.
    static func recheckOCSP(_ server: BackendServer) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                _ = server.recheckOCSP()
            }
        }
    }

    static func ask(
        _ lookup: OCSPLookup,
        _ choice: OCSPResponderChoice,
        about leaf: Certificate,
        issuer: Certificate
    ) async -> OCSPVerdict {
        guard let url = choice.url(for: leaf) else {
            return .unavailable("the certificate names no OCSP responder (no Authority Information Access)")
        }
        return await lookup.status(of: leaf, issuer: issuer, at: url)
    }

    static func certificates(at path: String) throws -> [Certificate] {
        do { return try PEMFile.certificates(at: path) } catch { throw InputError(error) }
    }
}
