import Foundation

/// Latency over time: the handshake's p50, p90 and p99 per window as lines (a backend that
/// degrades under load shows as a rising p99, which a histogram smears into a wide bar), the TCP
/// connect's p99 dashed, and the devices started per second as faint bars behind them with the
/// requested start rate — so a latency rise can be read against the load that caused it.
enum LatencyOverTimeChart {
    /// The phase the lines follow: the full handshake, else the verdict or CONNACK.
    static func phase(_ report: LatencyOverTime) -> String? {
        ["tlsHandshake", "serverAccept", "mqttConnack"].first { !(report.phases[$0] ?? []).isEmpty }
    }

    static func html(_ report: RunReport) -> String {
        guard let over = report.latencyOverTime, let phase = Self.phase(over), let windows = over.phases[phase]
        else {
            return "<p class=\"diag\">No latency over time in this report (written by an older fleetsim).</p>"
        }
        let connect = phase == "tlsHandshake" ? over.phases["tcpConnect"] ?? [] : []
        let label = PhaseHistograms.Phase(rawValue: phase)?.label ?? phase
        var legend = [("p50", "\(label) p50"), ("p90", "p90"), ("p99", "p99")]
        if !connect.isEmpty { legend.append(("conn", "TCP connect p99")) }
        legend.append(("load", "started / s (bars, own scale)"))
        if let rate = report.rates.requestedStartRate {
            legend.append(("req", "requested \(ChartLayout.count(rate)) / s"))
        }
        return ChartLayout.figure(legend: legend) { layout in
            Self.svg(
                layout,
                windows: windows,
                connect: connect,
                windowSeconds: over.windowSeconds,
                starts: report.timelineSeconds.map { $0.first ?? 0 },
                requestedRate: report.rates.requestedStartRate
            )
        }
    }

    static func svg(
        _ layout: ChartLayout,
        windows: [LatencyOverTime.Window],
        connect: [LatencyOverTime.Window],
        windowSeconds: Int,
        starts: [Int],
        requestedRate: Double?
    ) -> String {
        let width = Double(max(1, windowSeconds))
        let span = max(Double(starts.count), ((windows + connect).map { Double($0.at) }.max() ?? 0) + width, 1)
        func x(_ second: Double) -> Double { layout.plotLeft + second / span * layout.plotWidth }
        let ticks = ChartLayout.niceTicks((windows + connect).map { max($0.p99, 0) }.max() ?? 1)
        let top = ticks.last ?? 1
        func y(_ ms: Double) -> Double { layout.plotBottom - min(max(0, ms), top) / top * layout.plotHeight }
        var svg = layout.open("latency over time")
        // The load behind the lines, on its own scale (the legend says so), in the lower third so
        // it does not hide them: bars per second.
        let loadTop = max(Double(starts.max() ?? 0), requestedRate ?? 0, 1) * 3
        let group = max(1, Int((Double(starts.count) / Double(TimelineChart.mostBars)).rounded(.up)))
        for start in stride(from: 0, to: starts.count, by: group) {
            let part = starts[start..<min(starts.count, start + group)]
            let value = Double(part.reduce(0, +)) / Double(group)
            guard value > 0 else { continue }
            let h = value / loadTop * layout.plotHeight
            svg += String(
                format: "<rect class=\"load\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                x(Double(start)),
                layout.plotBottom - h,
                max(0.6, x(Double(start + part.count)) - x(Double(start))),
                h
            )
        }
        if let requestedRate {
            let ry = layout.plotBottom - requestedRate / loadTop * layout.plotHeight
            svg += String(
                format: "<line class=\"req\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                layout.plotLeft,
                ry,
                layout.plotRight,
                ry
            )
        }
        svg += layout.yAxis(ticks, format: ChartLayout.plainMilliseconds)
        func line(_ entries: [LatencyOverTime.Window], _ value: (LatencyOverTime.Window) -> Double, _ css: String)
            -> String
        {
            let points = entries.map { String(format: "%.1f,%.1f", x(Double($0.at) + width / 2), y(value($0))) }
            return "<polyline class=\"\(css)\" points=\"\(points.joined(separator: " "))\"/>"
        }
        if !connect.isEmpty { svg += line(connect, \.p99, "l-conn") }
        svg += line(windows, \.p50, "l-p50") + line(windows, \.p90, "l-p90") + line(windows, \.p99, "l-p99")
        // A run of one window has no line to draw: dots show its values.
        if windows.count == 1, let only = windows.first {
            for (value, css) in [(only.p50, "p50"), (only.p90, "p90"), (only.p99, "p99")] {
                svg += String(
                    format: "<circle class=\"d-%@\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>",
                    css as NSString,
                    x(Double(only.at) + width / 2),
                    y(value)
                )
            }
        }
        svg += layout.frame(yCaption: windowSeconds > 1 ? "ms (per \(windowSeconds) s)" : "ms (per second)")
        svg += layout.xLabels(TimelineChart.secondLabels(layout, span: span, x: x))
        return svg + "</svg>"
    }
}
