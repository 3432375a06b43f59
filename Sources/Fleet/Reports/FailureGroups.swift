/// The devices that did not end `ok`, grouped by cause — (outcome, diagnosis codes) — so 3,000
/// identical `rejected:certificate-expired` devices are one line with a count, the explanation
/// once and the first few device ids, not 3,000 rows (issue 17).
public struct FailureGroups: Sendable {
    public struct Group: Sendable, Equatable {
        public var outcome: String
        public var diagnosis: [String]
        public var count: Int
        /// The first devices of the group, by id.
        public var deviceIDs: [String]
        /// The first device's detail and explanations: the cause, said once.
        public var detail: String?
        public var explanation: [String]
        public var alert: Int?
    }

    /// Largest groups first; ties by outcome, then diagnosis.
    public let groups: [Group]

    /// Groups `devices`, keeping at most `sampleIDs` device ids per group.
    public init(_ devices: [RunReport.Device], sampleIDs: Int = 10) {
        var index: [String: Int] = [:]
        var groups: [Group] = []
        for device in devices.sorted(by: { $0.id < $1.id }) where device.outcome != "ok" {
            let key = device.outcome + "\u{0}" + device.diagnosis.joined(separator: ",")
            if let at = index[key] {
                groups[at].count += 1
                if groups[at].deviceIDs.count < sampleIDs { groups[at].deviceIDs.append(device.id) }
            } else {
                index[key] = groups.count
                groups.append(
                    Group(
                        outcome: device.outcome,
                        diagnosis: device.diagnosis,
                        count: 1,
                        deviceIDs: sampleIDs > 0 ? [device.id] : [],
                        detail: device.detail,
                        explanation: device.explanation,
                        alert: device.alert
                    )
                )
            }
        }
        self.groups = groups.sorted {
            ($0.count, $1.outcome, $1.diagnosis.joined()) > ($1.count, $0.outcome, $0.diagnosis.joined())
        }
    }
}
