import Foundation

/// The latency histogram: log-spaced bars of the HdrHistogram buckets, a y-axis of devices, and
/// the p50 and p99 markers with labels kept inside the chart (flipped left of a marker near the
/// right edge: the p99 label used to be cut off there).
enum HistogramChart {
    static let binCount = 40

    static func html(_ buckets: [[UInt64]], summary: PercentileSummary?) -> String {
        let samples = buckets.filter { $0.count == 2 && $0[1] > 0 }
        guard let low = samples.map({ $0[0] }).min(), let high = samples.map({ $0[0] }).max(), let summary else {
            return "<p class=\"diag\">No device reached this phase.</p>"
        }
        let lo = log10(max(1, Double(low))), hi = max(lo + 0.3, log10(Double(high)) + 0.02)
        var bins = [UInt64](repeating: 0, count: Self.binCount)
        for pair in samples {
            let position = (log10(max(1, Double(pair[0]))) - lo) / (hi - lo)
            bins[min(Self.binCount - 1, max(0, Int(position * Double(Self.binCount))))] += pair[1]
        }
        let legend = [("p50", "p50 \(Self.ms(summary.p50))"), ("p99", "p99 \(Self.ms(summary.p99))")]
        return ChartLayout.figure(legend: legend) { layout in
            Self.svg(layout, bins: bins, lo: lo, hi: hi, summary: summary)
        }
    }

    static func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }

    static func svg(_ layout: ChartLayout, bins: [UInt64], lo: Double, hi: Double, summary: PercentileSummary)
        -> String
    {
        func x(_ micros: Double) -> Double {
            layout.plotLeft + (log10(max(1, micros)) - lo) / (hi - lo) * layout.plotWidth
        }
        let ticks = ChartLayout.niceTicks(Double(bins.max() ?? 1), integral: true)
        let top = ticks.last ?? 1
        var svg = layout.open("latency histogram") + layout.yAxis(ticks, format: ChartLayout.count)
        let barWidth = layout.plotWidth / Double(bins.count)
        for (index, count) in bins.enumerated() where count > 0 {
            let h = Double(count) / top * layout.plotHeight
            svg += String(
                format:
                    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%d</title></rect>",
                layout.plotLeft + Double(index) * barWidth + 0.5,
                layout.plotBottom - h,
                max(1, barWidth - 1),
                h,
                count
            )
        }
        svg += layout.frame(yCaption: "devices")
        // X ticks at 1-2-5 steps; xLabels drops those that would collide.
        var labels: [(x: Double, text: String)] = []
        var decade = pow(10, floor(lo))
        while decade <= pow(10, hi) {
            for factor in [1.0, 2.0, 5.0] {
                let micros = decade * factor
                guard micros >= pow(10, lo), micros <= pow(10, hi) else { continue }
                labels.append((x(micros), ChartLayout.milliseconds(micros / 1000)))
            }
            decade *= 10
        }
        svg += layout.xLabels(labels)
        // The markers: p50 on the first label row, p99 on the second, each label on the side of its
        // line that has room.
        for (row, (name, value)) in [("p50", summary.p50), ("p99", summary.p99)].enumerated() {
            let px = min(layout.plotRight, max(layout.plotLeft, x(value * 1000)))
            let text = "\(name) \(Self.ms(value))"
            let fits = px + 4 + layout.textWidth(text) <= layout.width - 2
            let y = layout.font + 2 + Double(row) * (layout.font + 3)
            svg += String(
                format:
                    "<line class=\"m-%@\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><text class=\"t-%@\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%@\" style=\"font-size:%.0fpx\">%@</text>",
                name as NSString,
                px,
                y + 3,
                px,
                layout.plotBottom,
                name as NSString,
                fits ? px + 4 : px - 4,
                y,
                (fits ? "start" : "end") as NSString,
                layout.font,
                text as NSString
            )
        }
        return svg + "</svg>"
    }
}
