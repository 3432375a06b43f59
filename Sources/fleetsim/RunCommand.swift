import ArgumentParser
import Fleet
import FleetCore
import FleetMetrics
import FleetPKI
import FleetTLS
import Foundation
import NIOCore
import NIOPosix
import X509

#if canImport(Glibc)
    import Glibc
#endif

/// `fleetsim run`: a fleet of devices, each with its own identity, against a backend.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Connect a fleet of devices, each with its own certificate, to a backend and report every outcome.",
        discussion: """
            Devices come from --dir (a `fleetsim pki` directory: devices/, root.pem, crl.pem) or from \
            --identities (any folder of <id>.pem, .crt or .der + <id>.key, PEM or DER; encrypted keys with \
            --key-passphrase-env) with --ca. Starts follow an open model: \
            with --rate, devices start on schedule whether or not earlier ones finished, and latency \
            is measured from each device's scheduled start.
            Exit 0 when every check passed, 1 when a check failed, 2 on a usage or input error, \
            130 when interrupted (the partial report is still written).
            """
    )

    @OptionGroup var target: TargetOptions
    @OptionGroup var identities: IdentityOptions

    // Numbers are parsed unconditionally so that "-5" is judged by validate() (a clear range
    // message), not taken for an unknown flag.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Run only the first N devices (after --shard). (default: all)", valueName: "n")
    )
    var devices: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Most devices connecting or connected at once. (default: unlimited)", valueName: "n")
    )
    var concurrency: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "New devices per second (open model), 0.001–1000000. (default: as fast as possible)",
            valueName: "per-second"
        )
    )
    var rate: Double?

    static let rates: ClosedRange<Double> = 0.001...1_000_000
    static let mostDevices = 10_000_000

    @Option(
        help: ArgumentHelp(
            "Ramp the rate up from 0 over this time, e.g. 30s. (default: no ramp)",
            valueName: "duration"
        )
    )
    var ramp: String?

    @Option(
        help: ArgumentHelp(
            "Start no new device after this time, e.g. 5m. (default: until all started)",
            valueName: "duration"
        )
    )
    var duration: String?

    @Option(
        help: ArgumentHelp(
            "Keep each accepted device connected this long (MQTT keep-alive, telemetry). (default: close at once)",
            valueName: "duration"
        )
    )
    var hold: String?

    @OptionGroup(title: "Past one process") var scale: ScaleOptions

    @OptionGroup(title: "Device profile and behaviour (flags override the profile)") var behaviour: BehaviourOptions

    @OptionGroup var outputs: ReportOptions

    @OptionGroup var metricsOption: MetricsOption

    @Flag(help: "No live progress line.")
    var quiet = false

    func validate() throws {
        _ = try self.target.parsed()
        try self.identities.check()
        for (name, value) in [("--ramp", self.ramp), ("--duration", self.duration), ("--hold", self.hold)] {
            if let value, DurationText.seconds(value) == nil {
                throw ValidationError("\(name) '\(value)' \(DurationText.problem(value))")
            }
        }
        if let rate, !(Self.rates.contains(rate)) {
            throw ValidationError("--rate must be 0.001–1000000 devices per second")
        }
        if let devices, !(1...Self.mostDevices).contains(devices) {
            throw ValidationError("--devices must be 1–10000000")
        }
        if let concurrency, !(1...Self.mostDevices).contains(concurrency) {
            throw ValidationError("--concurrency must be 1–10000000")
        }
        if self.ramp != nil && self.rate == nil {
            throw ValidationError("--ramp needs --rate (the rate to ramp up to)")
        }
        _ = try self.scale.parsedShard()
        _ = try self.scale.sourceAddresses()
        try self.behaviour.check()
        try self.outputs.check()
        try self.metricsOption.check()
    }

    func run() async throws {
        try DescriptorBudget.check()
        let (host, port) = try self.target.parsed()
        let setup = try FleetSetup(behaviour: self.behaviour, identities: self.identities)
        let (profile, sources, context) = (setup.profile, setup.sources, setup.context)

        // Identities: list, shard, limit, then load and validate once, in parallel.
        let listing = setup.listing
        if !listing.unpaired.isEmpty {
            Fleetsim.printError(
                "warning: \(listing.unpaired.count) file(s) in \(sources.devicesPath) without their partner are skipped: "
                    + listing.unpaired.prefix(5).joined(separator: ", ") + (listing.unpaired.count > 5 ? ", …" : "")
            )
        }
        var ids = listing.ids
        let shard = try self.scale.parsedShard()
        if let (k, n) = shard { ids = IdentityDirectory.shard(ids, index: k, of: n) }
        if let limit = self.devices { ids = Array(ids.prefix(limit)) }
        guard !ids.isEmpty else {
            throw InputError(
                .noIdentities,
                "\(sources.devicesPath): no device identities (<id>.pem, .crt or .der with <id>.key) to run",
                path: sources.devicesPath
            )
        }
        let loadStart = ContinuousClock.now
        let fleet = await setup.load(ids)
        if !self.quiet {
            let invalid = fleet.filter { if case .failure = $0.identity { true } else { false } }.count
            let elapsed = ContinuousClock.now - loadStart
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            Fleetsim.printError(
                String(format: "loaded %d device identities in %.2f s", fleet.count, seconds)
                    + (invalid > 0 ? " (\(invalid) unusable: they end identity-invalid)" : "")
            )
        }
        let expectations = try self.outputs.loadExpectations()

        var settings = RunSettings(host: host, port: port)
        settings.mode = self.behaviour.mode
        settings.profile = profile
        settings.mqttPassword = setup.mqttPassword
        settings.serverName = self.target.serverName
        settings.rate = self.rate
        settings.ramp = self.ramp.flatMap(DurationText.seconds) ?? 0
        settings.concurrency = self.concurrency
        settings.duration = self.duration.flatMap(DurationText.seconds)
        settings.hold = self.hold.flatMap(DurationText.seconds)
        settings.sourceAddresses = try self.scale.sourceAddresses()

        // One event loop per core (wolfSSL keeps a per-thread ECC cache: never a thread per device).
        let group = MultiThreadedEventLoopGroup.singleton
        let stop = StopSignal()
        let interrupts = SignalWatcher.stopping(stop)
        defer { interrupts.cancel() }
        let metrics = self.metricsOption.metrics == nil ? nil : RunMetrics()
        var endpoint: MetricsEndpoint?
        if let metrics { endpoint = try await self.metricsOption.start(metrics.registry) }
        let collector = RunCollector(keepAll: self.outputs.perDevice, observer: metrics)
        let progress = (!self.quiet && isatty(2) == 1) ? ProgressLine(collector: collector, total: fleet.count) : nil
        progress?.start()

        let before = ProcessUsage.now()
        let result = await FleetRunner(settings: settings, devices: fleet, context: context, group: group).run(
            collector: collector,
            stop: stop
        )
        let after = ProcessUsage.now()
        progress?.finish()
        await endpoint?.stop()

        let outcomes = result.state.outcomeByDevice
        let (gates, mismatches) = RunGates(
            maxFailureRate: self.outputs.maxFailureRate,
            maxP99: self.outputs.maxP99.flatMap(DurationText.seconds),
            expectations: expectations,
            mutualTLS: self.outputs.expectMutualTLS
        ).evaluate(
            result,
            mode: self.behaviour.mode,
            outcomes: outcomes,
            selected: Set(ids),
            subset: shard != nil || self.devices != nil
        )
        var ocspFindings: [String: [LintFinding]] = [:]
        if let choice = self.identities.diagnoseOcsp {
            ocspFindings = await setup.ocspDiagnoses(choice, result: result, fleet: fleet)
        }
        let report = RunReportBuilder.make(
            result: result,
            settings: settings,
            tls: setup.tlsText,
            shard: try self.scale.label(),
            devices: fleet.count,
            diagnose: setup.diagnose(fleet, ocsp: ocspFindings),
            gates: gates,
            before: before,
            after: after
        )
        print(RunSummary.text(report, mismatches: mismatches))
        try self.outputs.write(report, expectations: expectations, outcomes: outcomes, deviceIDs: fleet.map(\.id))

        let verdict = RunVerdict(gates: gates, interrupted: result.interrupted)
        switch verdict {
        case .passed: break
        case .checkFailed: throw ExitCode(verdict.exitStatus)
        case .interrupted: Glibc.exit(verdict.exitStatus)
        }
    }
}

extension ProtocolMode: ExpressibleByArgument {}
extension TLSVersion: ExpressibleByArgument {}
