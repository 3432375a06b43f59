import ArgumentParser
import FleetCore
import FleetOCSP
import FleetPKI
import Foundation

/// `fleetsim pki ocsp`: the PKI's OCSP responder, so devices, backends and `openssl ocsp` can ask
/// about a certificate the way real fleets do, and see `pki revoke` at once.
struct PKIOCSPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ocsp",
        abstract: "Answer OCSP requests (RFC 6960) for the PKI's issuing CA over HTTP: good, revoked or unknown.",
        discussion: """
            POST application/ocsp-request, or GET /<base64 request> (RFC 6960 Appendix A). Each certificate \
            asked about is good (issued by the issuing CA, not revoked), revoked (time and reason from \
            `pki revoke`) or unknown (another issuer, or a serial the CA did not issue). thisUpdate is a \
            minute back, nextUpdate thisUpdate + --validity; a nonce is echoed. fleet.json is re-read when \
            it changes, so `pki revoke` shows in the next answer without a restart. Prints 'listening on \
            HOST:PORT' when ready (port 0 picks a free port); SIGINT/SIGTERM stop it.
            """
    )

    @OptionGroup var location: PKIDirectoryOption

    @Option(help: ArgumentHelp("Address to listen on, HOST:PORT (port 0: any free port).", valueName: "host:port"))
    var listen: String

    @Option(
        help: ArgumentHelp(
            "Who signs the answers: issuing (the issuing CA's key) or delegated (a responder certificate for id-kp-OCSPSigning issued by it, <dir>/ocsp-responder.pem, made on first use and sent in each answer).",
            valueName: "signer"
        )
    )
    var signer: OCSPSignerRole = .issuing

    @Option(help: ArgumentHelp("How long an answer is valid: nextUpdate − thisUpdate.", valueName: "duration"))
    var validity = "1h"

    func validate() throws {
        _ = try TargetOptions.split(self.listen, option: "--listen", allowPortZero: true)
        guard let seconds = DurationText.seconds(self.validity), seconds >= 1 else {
            let problem =
                DurationText.seconds(self.validity) == nil ? DurationText.problem(self.validity) : "is under 1s"
            throw ValidationError("--validity '\(self.validity)' \(problem)")
        }
    }

    func run() async throws {
        let (host, port) = try TargetOptions.split(self.listen, option: "--listen", allowPortZero: true)
        let service: OCSPService
        do {
            service = try OCSPService(
                directory: self.location.directory,
                role: self.signer,
                validity: DurationText.seconds(self.validity)!,
                onReload: Self.logReload
            )
        } catch let error as PKIError {
            throw InputError(error)
        } catch let error as AtomicFile.WriteError {
            throw InputError(.cannotWrite, error.description, path: error.path)
        }
        let server: OCSPServer
        do {
            server = try await OCSPServer(host: host, port: port, service: service)
        } catch {
            throw InputError(.cannotListen, "cannot listen on \(self.listen): \(error)")
        }
        let responder = try service.current.get()
        let signedBy =
            self.signer == .issuing
            ? "signed by the issuing CA"
            : "signed by \(PKILayout(directory: self.location.directory).ocspResponderCertificate)"
        let address = server.localAddress
        // Written unbuffered: scripts wait for this line on a pipe.
        let ready =
            "listening on \(address?.ipAddress ?? host):\(address?.port ?? port) (OCSP for \(DistinguishedNameText.format(responder.issuer.subject)), \(signedBy), answers valid \(self.validity))\n"
        FileHandle.standardOutput.write(Data(ready.utf8))

        await SignalWatcher.waitForStop()
        await server.stop()
        let counts = service.counts
        let parts =
            ["\(counts.good) good", "\(counts.revoked) revoked", "\(counts.unknown) unknown"]
            + counts.errors.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key)" }
        let stopped = "stopped: \(counts.responses) responses (\(parts.joined(separator: ", ")))\n"
        FileHandle.standardOutput.write(Data(stopped.utf8))
    }

    /// One line on stderr per reload of the PKI, so an operator sees revocations arrive — or why
    /// the responder answers internalError.
    @Sendable static func logReload(_ result: Result<OCSPResponder, any Error>) {
        switch result {
        case .success(let responder):
            let (issued, revoked) = responder.book.counts
            Fleetsim.printError("reloaded the PKI: \(issued) certificates known, \(revoked) revoked")
        case .failure(let error):
            Fleetsim.printError("cannot reload the PKI (\(error)): answering internalError until it can be read")
        }
    }
}
