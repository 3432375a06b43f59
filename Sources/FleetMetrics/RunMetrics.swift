import Fleet
import FleetCore
import Prometheus

/// `run --metrics`: handshakes and devices by outcome, handshake and verdict latency, devices
/// connected, connection attempts by kind (retries and reconnects among them), lost connections.
public final class RunMetrics: RunObserver {
    public let registry: PrometheusCollectorRegistry
    private let connected: Gauge
    private let lost: Counter
    private let fullHandshake: DurationHistogram
    private let resumedHandshake: DurationHistogram
    private let accept: DurationHistogram

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.connected = registry.makeGauge(
            descriptor: MetricBuckets.name(
                "devices_connected",
                unit: "",
                help: "Devices accepted and holding their connection now"
            )
        )
        self.lost = registry.makeCounter(
            descriptor: MetricBuckets.name(
                "connections_lost",
                unit: "total",
                help: "Accepted connections the server ended during the hold"
            )
        )
        let handshake = MetricBuckets.name(
            "tls_handshake",
            unit: "seconds",
            help: "Time from a connection's start to its TLS handshake done"
        )
        self.fullHandshake = registry.makeDurationHistogram(
            descriptor: handshake,
            labels: [("handshake", "full")],
            buckets: MetricBuckets.latency
        )
        self.resumedHandshake = registry.makeDurationHistogram(
            descriptor: handshake,
            labels: [("handshake", "resumed")],
            buckets: MetricBuckets.latency
        )
        self.accept = registry.makeDurationHistogram(
            descriptor: MetricBuckets.name(
                "server_accept",
                unit: "seconds",
                help: "Time from a connection's start to the server's verdict (TLS 1.3 ticket, data or CONNACK)"
            ),
            buckets: MetricBuckets.latency
        )
        // Present from the first scrape, before any device decides.
        _ = registry.makeCounter(descriptor: Self.handshakes, labels: [("outcome", "ok")])
        _ = registry.makeCounter(descriptor: Self.devices, labels: [("outcome", "ok")])
        for kind in ConnectionKind.allCases {
            _ = registry.makeCounter(descriptor: Self.attempts, labels: [("kind", kind.rawValue)])
        }
    }

    static var handshakes: MetricNameDescriptor {
        MetricBuckets.name(
            "handshakes",
            unit: "total",
            help: "Connection verdicts by outcome (every connection: retries, reconnects and churn included)"
        )
    }
    static var devices: MetricNameDescriptor {
        MetricBuckets.name(
            "devices",
            unit: "total",
            help: "Device outcomes (one per device: its first acceptance, or its last failure)"
        )
    }
    static var attempts: MetricNameDescriptor {
        MetricBuckets.name(
            "connection_attempts",
            unit: "total",
            help: "Connection attempts by kind: first, retry, churn, reconnect"
        )
    }

    public func connectionAttempted(kind: ConnectionKind) {
        self.registry.makeCounter(descriptor: Self.attempts, labels: [("kind", kind.rawValue)]).increment()
    }

    public func connectionDecided(outcome: Outcome, resumed: Bool, handshakeSeconds: Double?, acceptSeconds: Double?) {
        self.registry.makeCounter(descriptor: Self.handshakes, labels: [("outcome", outcome.identifier)]).increment()
        if let handshakeSeconds {
            (resumed ? self.resumedHandshake : self.fullHandshake).record(.seconds(handshakeSeconds))
        }
        if let acceptSeconds { self.accept.record(.seconds(acceptSeconds)) }
        if outcome == .ok { self.connected.increment() }
    }

    public func connectionClosed(lost: Bool) {
        self.connected.decrement()
        if lost { self.lost.increment() }
    }

    public func deviceDecided(outcome: Outcome) {
        self.registry.makeCounter(descriptor: Self.devices, labels: [("outcome", outcome.identifier)]).increment()
    }
}

/// Histogram buckets shared by the metrics: 1 ms to 10 s, for loopback and cellular alike.
enum MetricBuckets {
    /// `fleetsim_<name>_<unit>`, with its help line.
    static func name(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "fleetsim", metricName: name, unitName: unit, helpText: help)
    }

    static let latency: [Duration] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map {
        .seconds($0)
    }
}
