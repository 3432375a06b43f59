import Histogram

/// Latency histograms per phase, in microseconds, mergeable across shards without loss.
///
/// HdrHistogram with 3 significant digits from 1 µs to 1 hour: percentiles are exact to 0.1%, and
/// adding two histograms gives the histogram of the combined samples (what `report merge` needs).
public struct PhaseHistograms: Sendable {
    public enum Phase: String, Sendable, CaseIterable, Codable {
        case tcpConnect, tlsHandshake, tlsHandshakeResumed, serverAccept, mqttConnack, mqttPuback, scheduleLag

        /// How reports name the phase.
        public var label: String {
            switch self {
            case .tcpConnect: "TCP connected"
            case .tlsHandshake: "TLS handshake done"
            case .tlsHandshakeResumed: "TLS resumed handshake done"
            case .serverAccept: "server verdict (TLS)"
            case .mqttConnack: "MQTT CONNACK"
            case .mqttPuback: "MQTT PUBACK (from its PUBLISH)"
            case .scheduleLag: "schedule lag"
            }
        }
    }

    public private(set) var histograms: [Phase: Histogram<UInt64>]

    public init() {
        self.histograms = Dictionary(uniqueKeysWithValues: Phase.allCases.map { ($0, Self.empty()) })
    }

    static func empty() -> Histogram<UInt64> {
        Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: 3_600_000_000,
            numberOfSignificantValueDigits: .three
        )
    }

    /// Records `seconds` for `phase` (clamped to the trackable range).
    public mutating func record(_ phase: Phase, seconds: Double) {
        let micros = UInt64(max(1, min(3_600_000_000, (seconds * 1e6).rounded())))
        _ = self.histograms[phase]!.record(micros)
    }

    /// Adds another run's (a shard's) histograms, bucket by bucket.
    public mutating func merge(_ other: PhaseHistograms) {
        for (phase, histogram) in other.histograms { self.histograms[phase]!.add(histogram) }
    }

    /// Count, min, p50/p90/p99/p99.9, max and mean in milliseconds; nil when nothing was recorded.
    public func summary(_ phase: Phase) -> PercentileSummary? {
        let histogram = self.histograms[phase]!
        guard histogram.totalCount > 0 else { return nil }
        func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
        return PercentileSummary(
            count: Int(histogram.totalCount),
            min: ms(histogram.min),
            p50: ms(histogram.valueAtPercentile(50)),
            p90: ms(histogram.valueAtPercentile(90)),
            p99: ms(histogram.valueAtPercentile(99)),
            p999: ms(histogram.valueAtPercentile(99.9)),
            max: ms(histogram.max),
            mean: histogram.mean / 1000
        )
    }

    /// The mergeable form: for each phase, (value µs, count) of every non-empty bucket.
    ///
    /// The exact smallest and largest samples are kept as entries of their own (in the same
    /// buckets): HdrHistogram clamps percentiles to the exact maximum, so without it the
    /// rebuilt histogram's top percentile would be its bucket's upper edge instead.
    public var buckets: [Phase: [[UInt64]]] {
        self.histograms.mapValues { histogram in
            var pairs = histogram.recordedValues().map { [$0.value, $0.count] }
            guard !pairs.isEmpty else { return pairs }
            func pin(_ index: Int, _ exact: UInt64, before: Bool) {
                if pairs[index][1] == 1 {
                    pairs[index][0] = exact
                } else {
                    pairs[index][1] -= 1
                    pairs.insert([exact, 1], at: before ? index : index + 1)
                }
            }
            pin(pairs.count - 1, histogram.maxRecorded, before: false)
            pin(0, histogram.min, before: true)
            return pairs
        }
    }

    /// Rebuilds histograms from ``buckets``: recording each bucket's value `count` times into a
    /// histogram of the same precision gives back the same histogram.
    public init(buckets: [Phase: [[UInt64]]]) {
        self.init()
        for (phase, pairs) in buckets {
            for pair in pairs where pair.count == 2 {
                _ = self.histograms[phase]!.record(pair[0], count: pair[1])
            }
        }
    }
}

/// `{count, min, p50, p90, p99, p999, max, mean}` in milliseconds (DESIGN.md §5a).
public struct PercentileSummary: Sendable, Codable, Equatable {
    public var count: Int
    public var min: Double
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var mean: Double
}
