import Testing

@testable import Fleet

/// Failures grouped by (outcome, diagnosis), largest first, with the first device ids.
@Suite struct FailureGroupsTests {
    @Test func groupedByOutcomeAndDiagnosisLargestFirst() {
        let devices: [RunReport.Device] = [
            .failed("c", .rejected(.certificateExpired), diagnoses: [("expired", "e")]),
            .ok("ok-1"),
            .failed("a", .rejected(.certificateExpired), diagnoses: [("expired", "e")]),
            .failed("b", .rejected(.certificateExpired), diagnoses: [("not-yet-valid", "n")]),
            .failed("d", .tcpRefused),
            .failed("e", .rejected(.certificateExpired), diagnoses: [("expired", "e")]),
        ]
        let groups = FailureGroups(devices, sampleIDs: 2).groups
        #expect(groups.map(\.count) == [3, 1, 1])
        #expect(groups[0].outcome == "rejected:certificate-expired" && groups[0].diagnosis == ["expired"])
        #expect(groups[0].deviceIDs == ["a", "c"])
        #expect(groups.map(\.count).reduce(0, +) == 5)
        #expect(!groups.flatMap(\.deviceIDs).contains("ok-1"))
    }
}
