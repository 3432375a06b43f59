import ArgumentParser
import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import Foundation
import NIOPosix

/// `fleetsim repro`: one device, one connection, everything visible — for the engineer who must
/// find out why *this* device is refused.
struct ReproCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repro",
        abstract: "Reproduce one device's connection step by step and explain its outcome.",
        discussion: """
            Shows the TLS versions and suites offered and negotiated, the chain the device presented, \
            the server's chain and the device's verdict on it, each handshake step wolfSSL exposes \
            with its time, the alerts, the server's verdict (also when it comes after a TLS 1.3 \
            handshake), the outcome, and an explanation that joins the server's alert with the lint \
            of the device's certificate.
            Exit 0 when the server accepted the device, 1 when not, 2 on a usage or input error.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "The device id: the file stem of <id>.pem (or .crt, .der) and <id>.key.",
            valueName: "device-id"
        )
    )
    var deviceID: String

    @OptionGroup var target: TargetOptions
    @OptionGroup var identities: IdentityOptions

    @OptionGroup(title: "Device profile and behaviour (flags override the profile)") var behaviour: BehaviourOptions

    @Flag(help: "Print the result as JSON (fleetsim.repro/1) instead of text.")
    var json = false

    func validate() throws {
        _ = try self.target.parsed()
        try self.identities.check()
        try self.behaviour.check()
    }

    func run() async throws {
        try DescriptorBudget.check()
        let (host, port) = try self.target.parsed()
        let setup = try FleetSetup(behaviour: self.behaviour, identities: self.identities)
        guard setup.listing.ids.contains(self.deviceID) else {
            let near = setup.listing.ids.filter { $0.hasPrefix(String(self.deviceID.prefix(3))) }.prefix(5)
            throw InputError(
                .unknownDevice,
                "\(setup.sources.devicesPath): no device '\(self.deviceID)' (\(setup.listing.ids.count) devices there"
                    + (near.isEmpty ? "" : "; e.g. \(near.joined(separator: ", "))") + ")",
                path: setup.sources.devicesPath
            )
        }
        let fleet = await setup.load([self.deviceID])

        var settings = RunSettings(host: host, port: port)
        settings.mode = self.behaviour.mode
        settings.profile = setup.profile
        settings.mqttPassword = setup.mqttPassword
        settings.serverName = self.target.serverName
        var runner = FleetRunner(
            settings: settings,
            devices: fleet,
            context: setup.context,
            group: MultiThreadedEventLoopGroup.singleton
        )
        runner.trace = true
        let collector = RunCollector(keepAll: true)
        let stop = StopSignal()
        let interrupts = SignalWatcher.stopping(stop)
        defer { interrupts.cancel() }
        let result = await runner.run(collector: collector, stop: stop)
        var ocspFindings: [String: [LintFinding]] = [:]
        if let choice = self.identities.diagnoseOcsp {
            ocspFindings = await setup.ocspDiagnoses(choice, result: result, fleet: fleet)
        }
        let report = RunReportBuilder.make(
            result: result,
            settings: settings,
            tls: setup.tlsText,
            shard: nil,
            devices: 1,
            diagnose: setup.diagnose(fleet, ocsp: ocspFindings),
            gates: [],
            before: ProcessUsage.now(),
            after: ProcessUsage.now()
        )
        guard let device = report.devices.first else {
            throw InputError(.noOutcome, "\(self.deviceID): the connection was interrupted before it had an outcome")
        }
        let repro = ReproReport(
            device: device,
            target: "\(host):\(port)",
            protocol: self.behaviour.mode.rawValue,
            offered: setup.tlsText,
            alpnOffered: setup.profile.alpn?.names,
            presentedChain: Self.presentedChain(fleet.first),
            interrupted: result.interrupted
        )
        if self.json {
            print(String(decoding: try ReproReport.encode(repro), as: UTF8.self))
        } else {
            print(repro.text)
        }
        if result.interrupted { Glibc.exit(ExitStatus.interrupted) }
        if device.outcome != Outcome.ok.identifier { throw ExitCode(ExitStatus.checkFailed) }
    }

    /// The subjects of the chain the device presents, leaf first.
    static func presentedChain(_ device: FleetDevice?) -> [String] {
        guard let device, let chain = try? PEMFile.certificates(in: device.chainPEM, source: device.id) else {
            return []
        }
        return chain.map { "\($0.subject) (issuer \($0.issuer))" }
    }
}
