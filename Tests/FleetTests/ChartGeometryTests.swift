import FleetCore
import Foundation
import Testing

@testable import Fleet

/// The charts' own geometry, without a browser: every label's estimated box (0.62 em a character,
/// generous for system-ui) lies inside its viewBox, and the y-axes have several labelled ticks.
/// PageScreenshotTests checks the same in Chromium with real font metrics.
@Suite struct ChartGeometryTests {
    struct Label {
        var x: Double
        var y: Double
        var anchor: String
        var size: Double
        var text: String
    }

    static func labels(_ svg: Substring) -> [Label] {
        svg.matches(
            of:
                #/<text(?: class="[^"]*")? x="([-\d.]+)" y="([-\d.]+)"(?: text-anchor="(\w+)")? style="font-size:(\d+)px">([^<]*)</text>/#
        )
        .map {
            Label(
                x: Double($0.1)!,
                y: Double($0.2)!,
                anchor: $0.3.map(String.init) ?? "start",
                size: Double($0.4)!,
                text: String($0.5)
            )
        }
    }

    static func svgs(_ page: String) -> [(width: Double, height: Double, body: Substring)] {
        page.matches(of: #/<svg class="\w+" viewBox="0 0 (\d+) (\d+)"[^>]*>(.*?)</svg>/#).map {
            (Double($0.1)!, Double($0.2)!, $0.3)
        }
    }

    @Test(arguments: ["synthetic", "edge-cases", "one-hour-mqtt"])
    func everyLabelFitsItsViewBox(name: String) throws {
        let report =
            switch name {
            case "edge-cases": PageScreenshotTests.edgeReport()
            case "one-hour-mqtt": PageScreenshotTests.longRun()
            default: SyntheticReport.make(devices: 5000, failureShare: 0.3)
            }
        let svgs = Self.svgs(HTMLReport.make(report))
        #expect(svgs.count == 6)
        for (width, height, body) in svgs {
            let labels = Self.labels(body)
            #expect(labels.count >= 5)
            #expect(Set(labels.map(\.text)).count == labels.count, "a label repeated: \(labels.map(\.text))")
            for label in labels {
                let estimated = Double(label.text.count) * label.size * 0.62
                let left =
                    switch label.anchor {
                    case "end": label.x - estimated
                    case "middle": label.x - estimated / 2
                    default: label.x
                    }
                #expect(left >= 0 && left + estimated <= width, "'\(label.text)' at x \(label.x) in \(width)")
                #expect(label.y - label.size >= 0 && label.y + label.size * 0.3 <= height, "'\(label.text)'")
            }
        }
    }

    @Test func yAxesHaveSeveralTicksEndingAtOrAboveTheMaximum() {
        for maximum in [0.4, 1, 3, 7, 12, 99, 101, 4321, 1e6] {
            let ticks = ChartLayout.niceTicks(maximum)
            #expect(ChartLayout.niceTicks(maximum, integral: true).allSatisfy { $0 == $0.rounded() })
            #expect(ticks.count >= 3 && ticks.count <= 6, "\(maximum): \(ticks)")
            #expect(ticks.first == 0 && ticks.last! >= maximum, "\(maximum): \(ticks)")
        }
    }
}
