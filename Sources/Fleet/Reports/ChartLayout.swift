import Foundation

/// The geometry of the page's charts, and the arithmetic every chart shares: nice axis ticks, a
/// label's estimated width, and the two renderings of one chart.
///
/// Why two renderings: SVG text scales with its viewBox, so one chart sized for a desktop column
/// shrinks its labels to 4 px on a phone. Each chart is drawn twice — `wide` (a half-width column
/// at 1280 px) and `narrow` (a 390 px phone) — and CSS shows one (`.wide`/`.narrow` in
/// ``HTMLStyle``): no script decides, and the page stays one file.
struct ChartLayout: Sendable {
    var width: Double
    var height: Double
    var left: Double
    var right: Double
    var top: Double
    var bottom: Double
    /// Label font size in viewBox units (≈ CSS px at the intended width).
    var font: Double
    /// The CSS class that shows this rendering at its widths.
    var variant: String

    static let wide = ChartLayout(
        width: 520,
        height: 260,
        left: 52,
        right: 14,
        top: 34,
        bottom: 30,
        font: 12,
        variant: "wide"
    )
    static let narrow = ChartLayout(
        width: 340,
        height: 230,
        left: 44,
        right: 10,
        top: 34,
        bottom: 30,
        font: 11,
        variant: "narrow"
    )
    static let both = [Self.wide, Self.narrow]

    var plotLeft: Double { self.left }
    var plotRight: Double { self.width - self.right }
    var plotTop: Double { self.top }
    var plotBottom: Double { self.height - self.bottom }
    var plotWidth: Double { self.plotRight - self.plotLeft }
    var plotHeight: Double { self.plotBottom - self.plotTop }

    /// A generous estimate of a label's width: system-ui digits and lower case average under 0.6 em.
    func textWidth(_ text: String) -> Double { Double(text.count) * self.font * 0.62 }

    /// The opening tag: the viewBox, the variant's class and an accessible name.
    func open(_ label: String) -> String {
        "<svg class=\"\(self.variant)\" viewBox=\"0 0 \(Int(self.width)) \(Int(self.height))\" role=\"img\" aria-label=\"\(MarkupText.escape(label))\">"
    }

    /// Up to `most` + 1 ticks at 1-2-5 steps from 0, the last at or above `maximum`, so the axis
    /// always ends on a labelled tick (never a single tick at the top). `integral`: whole steps
    /// (counts of devices have no quarters).
    static func niceTicks(_ maximum: Double, most: Int = 4, integral: Bool = false) -> [Double] {
        let top = maximum > 0 ? maximum : 1
        let raw = top / Double(most)
        let magnitude = pow(10, floor(log10(raw)))
        let nice = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let step = integral ? max(1, nice.rounded(.up)) : nice
        let count = Int((top / step).rounded(.up))
        return (0...max(1, count)).map { Double($0) * step }
    }

    /// A y-axis: gridlines and labels at `ticks`, scaled to the last tick.
    func yAxis(_ ticks: [Double], format: (Double) -> String) -> String {
        guard let last = ticks.last, last > 0 else { return "" }
        var svg = ""
        for tick in ticks {
            let y = self.plotBottom - tick / last * self.plotHeight
            svg += String(
                format: "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                self.plotLeft,
                y,
                self.plotRight,
                y
            )
            svg += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" style=\"font-size:%.0fpx\">%@</text>",
                self.plotLeft - 5,
                y + self.font * 0.35,
                self.font,
                MarkupText.escape(format(tick)) as NSString
            )
        }
        return svg
    }

    /// X-axis labels at `(x, text)` positions, left to right, dropping any that would touch the one
    /// before or leave the viewBox.
    func xLabels(_ labels: [(x: Double, text: String)]) -> String {
        var svg = ""
        var lastRight = -Double.infinity
        // Far enough below the axis that the y-axis's `0` (which reaches under it) never touches one.
        let y = self.plotBottom + self.font + 8
        for (x, text) in labels {
            let half = self.textWidth(text) / 2
            guard x - half >= 2, x + half <= self.width - 2, x - half > lastRight + 6 else { continue }
            lastRight = x + half
            svg += String(
                format: "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                x,
                self.plotBottom,
                x,
                self.plotBottom + 4
            )
            svg += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" style=\"font-size:%.0fpx\">%@</text>",
                x,
                y,
                self.font,
                MarkupText.escape(text) as NSString
            )
        }
        return svg
    }

    /// The baseline of the plot, and a caption above the y-axis (its unit).
    func frame(yCaption: String) -> String {
        String(
            format:
                "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><text x=\"2\" y=\"%.1f\" style=\"font-size:%.0fpx\">%@</text>",
            self.plotLeft,
            self.plotBottom,
            self.plotRight,
            self.plotBottom,
            self.font + 1,
            self.font,
            MarkupText.escape(yCaption) as NSString
        )
    }

    /// Both renderings of a chart, and its legend as HTML below it (HTML text wraps; an SVG
    /// legend overlapped the axis).
    static func figure(legend: [(swatch: String, text: String)], draw: (ChartLayout) -> String) -> String {
        var html = "<figure class=\"chart\">" + Self.both.map(draw).joined()
        if !legend.isEmpty {
            html += "<figcaption class=\"legend\">"
            for item in legend {
                html += "<span><i class=\"sw \(item.swatch)\"></i>\(MarkupText.escape(item.text))</span> "
            }
            html += "</figcaption>"
        }
        return html + "</figure>"
    }

    /// Milliseconds as an axis label: `0.25 ms`, `2.5 ms`, `40 ms`, `1.2 s`.
    static func milliseconds(_ ms: Double) -> String {
        if ms >= 1000 { return String(format: ms >= 10_000 ? "%.0f s" : "%.1f s", ms / 1000) }
        if ms == 0 { return "0" }
        return String(format: ms >= 10 ? "%.0f ms" : ms >= 1 ? "%.1f ms" : "%.2f ms", ms)
    }

    /// Milliseconds on an axis whose caption says `ms`: `0.25`, `2.5`, `250`, `1.2k`.
    static func plainMilliseconds(_ ms: Double) -> String {
        if ms >= 1000 || ms == 0 { return Self.count(ms) }
        var text = String(format: "%.2f", ms)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A count as an axis label: `750`, `1.5k`, `20k`.
    static func count(_ value: Double) -> String {
        if value >= 1000 { return String(format: value >= 10_000 ? "%.0fk" : "%.1fk", value / 1000) }
        return String(format: value == value.rounded() ? "%.0f" : "%.1f", value)
    }
}
