import Foundation

/// The timeline: acceptances (green) and failures (red) stacked per second, devices started as a
/// line, the requested start rate as a dashed line, a y-axis of devices per second with several
/// ticks. A long run is drawn in groups of seconds (at most ``mostBars``) so the page stays small.
enum TimelineChart {
    static let mostBars = 200

    static func html(_ seconds: [[Int]], requestedRate: Double?) -> String {
        let rows = seconds.map { row in (0..<3).map { row.indices.contains($0) ? max(0, row[$0]) : 0 } }
        guard !rows.isEmpty else { return "<p class=\"diag\">No device started.</p>" }
        var legend = [("start", "started / s"), ("ok", "ok / s"), ("bad", "failed / s")]
        if let requestedRate { legend.append(("req", "requested \(ChartLayout.count(requestedRate)) / s")) }
        return ChartLayout.figure(legend: legend) { layout in
            Self.svg(layout, rows: rows, requestedRate: requestedRate)
        }
    }

    static func svg(_ layout: ChartLayout, rows: [[Int]], requestedRate: Double?) -> String {
        let group = max(1, Int((Double(rows.count) / Double(Self.mostBars)).rounded(.up)))
        let slots = stride(from: 0, to: rows.count, by: group).map { start in
            let part = rows[start..<min(rows.count, start + group)]
            return (0..<3).map { column in Double(part.reduce(0) { $0 + $1[column] }) / Double(group) }
        }
        let peak = slots.map { max($0[0], $0[1] + $0[2]) }.max() ?? 1
        let ticks = ChartLayout.niceTicks(max(peak, requestedRate ?? 0, 1), integral: peak >= 4)
        let top = ticks.last ?? 1
        func y(_ value: Double) -> Double { layout.plotBottom - value / top * layout.plotHeight }
        let slot = layout.plotWidth / Double(slots.count)
        var svg = layout.open("timeline") + layout.yAxis(ticks, format: ChartLayout.count)
        var line: [String] = []
        for (index, row) in slots.enumerated() {
            let x0 = layout.plotLeft + Double(index) * slot
            let width = max(0.6, slot - (slot > 3 ? 1 : 0))
            if row[1] > 0 {
                svg += String(
                    format: "<rect class=\"ok\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                    x0,
                    y(row[1]),
                    width,
                    layout.plotBottom - y(row[1])
                )
            }
            if row[2] > 0 {
                svg += String(
                    format: "<rect class=\"bad\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                    x0,
                    y(row[1] + row[2]),
                    width,
                    y(row[1]) - y(row[1] + row[2])
                )
            }
            line.append(String(format: "%.1f,%.1f", x0 + slot / 2, y(row[0])))
        }
        svg += "<polyline class=\"start\" points=\"\(line.joined(separator: " "))\"/>"
        if let requestedRate {
            svg += String(
                format: "<line class=\"req\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                layout.plotLeft,
                y(requestedRate),
                layout.plotRight,
                y(requestedRate)
            )
        }
        svg += layout.frame(yCaption: "devices / s")
        let span = Double(rows.count)
        svg += layout.xLabels(
            Self.secondLabels(layout, span: span) { layout.plotLeft + $0 / span * layout.plotWidth }
        )
        return svg + "</svg>"
    }

    /// Labels at whole seconds (1-2-5 steps) along an axis of `span` seconds placed by `x`.
    static func secondLabels(_ layout: ChartLayout, span: Double, x: (Double) -> Double) -> [(x: Double, text: String)]
    {
        ChartLayout.niceTicks(span, most: layout.variant == "wide" ? 8 : 5, integral: true).filter { $0 <= span }.map {
            (x($0), Self.clock($0))
        }
    }

    /// `45s`, `2m30s`, `1h05m`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 120 { return "\(s)s" }
        if s < 7200 { return s % 60 == 0 ? "\(s / 60)m" : "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
    }
}
