import FleetCore

/// The devices that ended differently in two runs, by id.
///
/// Reports list the devices that did not end `ok` (every device with `--per-device`). An unlisted
/// device of a complete report — not interrupted, every device started — of a fleet the size of
/// the other run's ended `ok`. Otherwise its outcome is unknown (`unlisted`): the run was cut
/// short, the fleets differ (a device added since would be claimed `ok` before), or the report
/// lists every device and this one was not in the run. A change to or from `unlisted` is not
/// reported.
enum DeviceOutcomeChanges {
    static let unlisted = "unlisted"

    static func between(_ base: RunReport, _ new: RunReport) -> [ReportDiff.DeviceChange] {
        let old = Dictionary(base.devices.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let now = Dictionary(new.devices.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let (oldDefault, newDefault) = (Self.unlistedOutcome(base, other: new), Self.unlistedOutcome(new, other: base))
        var changes: [ReportDiff.DeviceChange] = []
        for id in Set(old.keys).union(now.keys) {
            let before = old[id]?.outcome ?? oldDefault
            let after = now[id]?.outcome ?? newDefault
            guard before != after, before != Self.unlisted, after != Self.unlisted else { continue }
            let ok = Outcome.ok.identifier
            let device = now[id]
            changes.append(
                ReportDiff.DeviceChange(
                    id: id,
                    kind: before == ok ? "regressed" : after == ok ? "fixed" : "changed",
                    base: before,
                    new: after,
                    detail: after == ok ? nil : device?.detail,
                    diagnosis: after == ok ? [] : device?.diagnosis ?? [],
                    explanation: after == ok ? [] : device?.explanation ?? []
                )
            )
        }
        let order = ["regressed": 0, "changed": 1, "fixed": 2]
        return changes.sorted { (order[$0.kind] ?? 3, $0.id) < (order[$1.kind] ?? 3, $1.id) }
    }

    /// What a device missing from `report`'s list ended as.
    static func unlistedOutcome(_ report: RunReport, other: RunReport) -> String {
        let everyDeviceListed = report.devices.count >= report.counts.devices
        let complete = !report.interrupted && report.counts.notStarted == 0 && (report.counts.undecided ?? 0) == 0
        let sameFleet = report.counts.devices == other.counts.devices
        return !everyDeviceListed && complete && sameFleet ? Outcome.ok.identifier : Self.unlisted
    }
}
