import FleetCore

/// The devices that ended differently in two runs, by id.
///
/// Reports list the devices that did not end `ok` (every device with `--per-device`), so an
/// unlisted device of a complete report — not interrupted, every device started — ended `ok`.
/// In a report where some devices never started or had no verdict, an unlisted device's outcome
/// is unknown: it is `unlisted`, and a change to or from `unlisted` is not reported (it would
/// only say the run was cut short, which ``ReportDiff/Run/interrupted`` already says).
enum DeviceOutcomeChanges {
    static let unlisted = "unlisted"

    static func between(_ base: RunReport, _ new: RunReport) -> [ReportDiff.DeviceChange] {
        let old = Dictionary(base.devices.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let now = Dictionary(new.devices.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let (oldDefault, newDefault) = (Self.unlistedOutcome(base), Self.unlistedOutcome(new))
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
    static func unlistedOutcome(_ report: RunReport) -> String {
        let complete = !report.interrupted && report.counts.notStarted == 0 && (report.counts.undecided ?? 0) == 0
        return complete ? Outcome.ok.identifier : Self.unlisted
    }
}
