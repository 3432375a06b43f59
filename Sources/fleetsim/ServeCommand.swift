import ArgumentParser
import Backend
import Fleet
import FleetCore
import FleetMetrics
import FleetPKI
import FleetTLS
import Foundation
import NIOCore
import X509

#if canImport(Glibc)
    import Glibc
#endif

/// `fleetsim serve`: the mutual-TLS test backend CI pipelines start in one line.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a mutual-TLS test backend that judges device certificates and says why it rejected one.",
        discussion: """
            Strict by default: the chain to the CA, dates, the CRL (fail closed: an unreadable or expired \
            CRL stops start-up), clientAuth EKU, the issuing CA presented by the device, no SHA-1, and in \
            MQTT mode a CONNECT client id equal to the certificate's device id (serialNumber, else CN, else \
            SAN URI). \
            Prints 'listening on HOST:PORT' when ready (port 0 picks a free port). SIGINT/SIGTERM stop it \
            gracefully: connections closed, audit log flushed, exit 0.
            """
    )

    @Option(help: ArgumentHelp("Address to listen on, HOST:PORT (port 0: any free port).", valueName: "host:port"))
    var listen: String

    @Option(
        name: .customLong("dir"),
        help: ArgumentHelp(
            "A `fleetsim pki` directory: ca-chain.pem, server.pem, server.key, crl.pem.",
            valueName: "dir"
        )
    )
    var directory: String?

    @Option(help: ArgumentHelp("The CA certificate(s) that sign devices (PEM bundle).", valueName: "file"))
    var ca: String?

    @Option(help: ArgumentHelp("The server's certificate chain (PEM, leaf first).", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("The server's private key (PEM).", valueName: "file"))
    var key: String?

    @Option(
        help: ArgumentHelp(
            "CRLs to check devices against: every CRL of the file, and the option may repeat. A CRL from a CA that is not in --ca (an issuing CA) is verified against the issuer the device presents or --ca-chain. (default with --dir: <dir>/crl.pem)",
            valueName: "file"
        )
    )
    var crl: [String] = []

    @Option(
        help: ArgumentHelp(
            "Intermediate CA certificates that may sign CRLs, never trusted as anchors: a device must still present its chain.",
            valueName: "file"
        )
    )
    var caChain: String?

    @Option(
        name: .customLong("protocol"),
        help: "tls: judge the TLS handshake; mqtt: also CONNECT/CONNACK, PUBLISH, PINGREQ."
    )
    var mode: ProtocolMode = .mqtt

    @Option(help: ArgumentHelp("Append one JSON line per connection verdict here.", valueName: "file"))
    var audit: String?

    @Option(help: ArgumentHelp("Admit only the device ids listed in this file (one per line).", valueName: "file"))
    var allow: String?

    @Option(help: ArgumentHelp("Refuse the device ids listed in this file (one per line).", valueName: "file"))
    var deny: String?

    @Option(help: ArgumentHelp("Accept only this TLS version (1.2 or 1.3). (default: both)", valueName: "version"))
    var tls: TLSVersion?

    @Option(
        help: ArgumentHelp(
            "ALPN protocols accepted, most preferred first, comma-separated, e.g. mqtt or x-amzn-mqtt-ca: the first one the device offered is selected; a device offering ALPN but none of these gets the fatal alert no_application_protocol (120); one offering none proceeds without. (default: no ALPN)",
            valueName: "list"
        )
    )
    var alpn: String?

    @Option(help: ArgumentHelp("Close connections whose TLS handshake takes longer.", valueName: "duration"))
    var handshakeTimeout = "10s"

    @Flag(help: "Accept certificates without clientAuth in extendedKeyUsage.")
    var anyEku = false

    @Flag(help: "Accept devices that do not present their issuing CA.")
    var noChainCheck = false

    @Flag(help: "MQTT: accept any CONNECT client id (the mosquitto personality; the clouds always check it).")
    var noClientIdCheck = false

    @Option(
        help: ArgumentHelp(
            "MQTT: judge CONNECT as mosquitto, azure-iot-hub or aws-iot-core does. (default: mosquitto)",
            valueName: "name"
        )
    )
    var personality: BackendPersonality = .mosquitto

    @Option(
        help: ArgumentHelp(
            "MQTT: the device registry judged at CONNECT: a pki fleet.json (revoked = disabled) or device ids, one per line. (default: with --dir and a cloud personality, the PKI's fleet.json; else none)",
            valueName: "file"
        )
    )
    var registry: String?

    @Flag(
        help:
            "When the CRLs are reloaded (SIGHUP, or a CRL file changed), close the open sessions of devices they now revoke."
    )
    var dropRevoked = false

    @Option(
        help: ArgumentHelp(
            "Check device certificates by OCSP: a responder URL, or aia for each certificate's own. Unknown yet → refused.",
            valueName: "url|aia"
        ),
        transform: OCSPResponderChoice.parse
    )
    var deviceOcsp: OCSPResponderChoice?

    @Flag(help: "aws-iot-core: just-in-time registration, each certificate's first connection is closed after CONNECT.")
    var jitr = false

    @OptionGroup var metricsOption: MetricsOption

    @OptionGroup var stapleOption: OCSPStapleOption

    func validate() throws {
        try self.metricsOption.check()
        try self.stapleOption.check()
        _ = try TargetOptions.split(self.listen, option: "--listen", allowPortZero: true)
        switch (self.directory, self.ca, self.cert, self.key) {
        case (.some, nil, nil, nil), (nil, .some, .some, .some): break
        case (.some, _, _, _): throw ValidationError("give either --dir, or --ca, --cert and --key, not both")
        default: throw ValidationError("give the backend's PKI: --dir certs, or --ca FILE --cert FILE --key FILE")
        }
        if self.jitr && self.personality != .awsIoTCore {
            throw ValidationError("--jitr is AWS IoT Core's: use it with --personality aws-iot-core")
        }
        if self.mode == .tls && (self.personality != .mosquitto || self.registry != nil) {
            throw ValidationError("--personality and --registry judge MQTT CONNECTs: use them with --protocol mqtt")
        }
        if let alpn {
            do { _ = try ALPNProtocols(list: alpn) } catch { throw ValidationError("--alpn '\(alpn)' \(error)") }
        }
        if DurationText.seconds(self.handshakeTimeout) == nil {
            throw ValidationError(
                "--handshake-timeout '\(self.handshakeTimeout)' \(DurationText.problem(self.handshakeTimeout))"
            )
        }
    }

    func run() async throws {
        let (host, port) = try TargetOptions.split(self.listen, option: "--listen", allowPortZero: true)
        let layout = self.directory.map(PKILayout.init)
        let caPath = self.ca ?? layout!.caChain
        let certPath = self.cert ?? layout!.serverCertificate
        let keyPath = self.key ?? layout!.serverKey
        var crlPaths = self.crl
        if crlPaths.isEmpty, let layout, FileManager.default.fileExists(atPath: layout.crl) { crlPaths = [layout.crl] }

        let deviceOCSP = try self.deviceOcsp.map { try self.startDeviceOCSP($0, caPath: caPath) }
        let started = try await self.startStapling(certPath: certPath, caPath: caPath)
        let stapling = started?.0
        let command = self
        let crlFiles = crlPaths
        let load: @Sendable () throws -> ServeTrust = {
            try command.makeContext(
                caPath: caPath,
                certPath: certPath,
                keyPath: keyPath,
                crlPaths: crlFiles,
                deviceOCSP: deviceOCSP?.check,
                staple: stapling?.staple
            )
        }
        let trust = try load()
        if let deviceOCSP, let choice = self.deviceOcsp, let layout {
            let answered = await Self.warm(deviceOCSP, choice, layout: layout, within: 30)
            let counts = deviceOCSP.check.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            let line =
                "device OCSP: \(answered) devices of \(layout.devices) asked (\(counts.joined(separator: ", ")))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        let context = trust.context
        let revocation = RevocationState(trust.revoked)

        let metrics = ServeMetrics()
        var onRecord: (@Sendable (AuditRecord) -> Void)?
        var onConnection: (@Sendable (Bool) -> Void)?
        if self.metricsOption.metrics != nil {
            onRecord = { metrics.record($0) }
            onConnection = { metrics.connection(opened: $0) }
        }
        let audit: AuditLog
        do {
            audit = try AuditLog(path: self.audit, onRecord: onRecord)
        } catch {
            throw InputError(error)
        }
        var judge = ConnectJudge()
        judge.personality = self.personality
        judge.justInTimeRegistration = self.jitr ? JustInTimeRegistration() : nil
        let registryPath =
            self.registry
            ?? (self.personality != .mosquitto
                ? layout.map(\.manifest).flatMap {
                    FileManager.default.fileExists(atPath: $0) ? $0 : nil
                } : nil)
        if let registryPath {
            do {
                judge.registry = try DeviceRegistry.parse(try InspectCommand.read(registryPath))
            } catch let error as DeviceRegistry.NotAManifest {
                throw InputError(
                    .badRegistry,
                    "\(registryPath): JSON but not a fleetsim fleet.json (\(error.underlying)); give a pki's fleet.json or device ids, one per line",
                    path: registryPath
                )
            }
        }
        let settings = BackendSession.Settings(
            mode: self.mode,
            policy: trust.policy,
            handshakeTimeout: .nanoseconds(Int64(DurationText.seconds(self.handshakeTimeout)! * 1e9)),
            judge: judge,
            revocation: revocation
        )
        try DescriptorBudget.check()
        let server: BackendServer
        do {
            server = try await BackendServer(
                host: host,
                port: port,
                context: context,
                settings: settings,
                audit: audit,
                connections: onConnection
            )
        } catch {
            throw InputError(.cannotListen, "cannot listen on \(self.listen): \(error)")
        }
        let endpoint = try await self.metricsOption.start(metrics.registry)
        let address = server.localAddress
        // Written unbuffered: scripts wait for this line on a pipe.
        let ready =
            "listening on \(address?.ipAddress ?? host):\(address?.port ?? port) (\(self.mode.rawValue), mutual TLS\(crlPaths.isEmpty ? "" : ", CRL checked")\(self.deviceOcsp == nil ? "" : ", OCSP checked")\(stapling == nil ? "" : ", OCSP stapled")\(context.configuration.alpn.map { ", ALPN \($0)" } ?? "")\(self.mode == .mqtt ? ", as \(self.personality.rawValue)" : "")\(self.jitr ? " with just-in-time registration" : ""))\n"
        FileHandle.standardOutput.write(Data(ready.utf8))

        let watchers = self.watchFiles(
            crlPaths: crlPaths,
            stapling: stapling,
            load: load,
            server: server,
            revocation: revocation
        )
        let refreshing = started?.1?.run(audit: audit) {
            try Self.rebuilds.withLock { server.replace(try load().context) }
        }
        let rechecks = self.dropRevoked ? deviceOCSP.map { _ in Self.recheckOCSP(server) } : nil
        await SignalWatcher.waitForStop()
        rechecks?.cancel()
        refreshing?.cancel()
        watchers.forEach { $0.cancel() }
        deviceOCSP?.worker.cancel()
        await server.stop()
        await endpoint?.stop()
        let counts = audit.counts
        FileHandle.standardOutput.write(
            Data(
                ("stopped: \(counts["accepted"] ?? 0) accepted, \(counts["rejected"] ?? 0) rejected"
                    + ((counts["disconnected"] ?? 0) > 0 ? ", \(counts["disconnected"]!) disconnected" : "") + "\n")
                    .utf8
            )
        )
    }

    static func ids(in path: String) throws -> [String] {
        try InspectCommand.read(path).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}
