import Backend
import Prometheus

/// `serve --metrics`: verdicts by outcome, handshake latency as the backend measured it, and the
/// connections open now.
public final class ServeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let open: Gauge
    private let opened: Counter
    private let handshake: DurationHistogram

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.open = registry.makeGauge(
            descriptor: MetricBuckets.name("serve_connections_open", unit: "", help: "Device connections open now")
        )
        self.opened = registry.makeCounter(
            descriptor: MetricBuckets.name(
                "serve_connections",
                unit: "total",
                help: "Device connections accepted by TCP"
            )
        )
        self.handshake = registry.makeDurationHistogram(
            descriptor: MetricBuckets.name(
                "serve_handshake",
                unit: "seconds",
                help: "Time from TCP accept to the TLS handshake done, for accepted devices"
            ),
            buckets: MetricBuckets.latency
        )
        _ = registry.makeCounter(descriptor: Self.verdicts, labels: [("verdict", "accepted"), ("outcome", "ok")])
    }

    static var verdicts: MetricNameDescriptor {
        MetricBuckets.name(
            "serve_verdicts",
            unit: "total",
            help: "The backend's verdicts: accepted, or rejected with the outcome the device sees"
        )
    }

    static var stapleEvents: MetricNameDescriptor {
        MetricBuckets.name(
            "serve_ocsp_staple",
            unit: "total",
            help:
                "serve --ocsp-staple: staple reloads and refreshes (reloaded), failures (reload-failed), expiries (expired)"
        )
    }

    /// For ``AuditLog``: every verdict; the OCSP staple's events are counted apart (not verdicts).
    public func record(_ record: AuditRecord) {
        if record.phase == "ocsp-staple" {
            self.registry.makeCounter(descriptor: Self.stapleEvents, labels: [("event", record.verdict)]).increment()
            return
        }
        self.registry.makeCounter(
            descriptor: Self.verdicts,
            labels: [("verdict", record.verdict), ("outcome", record.outcome ?? "ok")]
        ).increment()
        if record.verdict == "accepted", let ms = record.handshakeMs { self.handshake.record(.seconds(ms / 1000)) }
    }

    /// For ``BackendServer``: a connection opened (true) or closed (false).
    public func connection(opened: Bool) {
        if opened {
            self.open.increment()
            self.opened.increment()
        } else {
            self.open.decrement()
        }
    }
}
