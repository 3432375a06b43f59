import FleetCore
import Foundation
import Testing

@testable import Fleet

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The JUnit XML a CI reads: one testcase per device, a failure for each device that did not end
/// as it should (ok, or what the `--expect` file says), with the outcome as the failure's type.
@Suite struct JUnitReportTests {
    static let devices: [RunReport.Device] = [
        .ok("tcu-1"),
        .ok("tcu-2"),
        .failed(
            "tcu-expired",
            .rejected(.certificateExpired),
            alert: 45,
            detail: "the server rejected the device",
            diagnoses: [("expired", "the certificate expired")]
        ),
        .failed("tcu-wrong-ca", .rejected(.unknownCA), alert: 48),
        .failed("tcu-gone", .tcpRefused, detail: "connection refused"),
    ]
    static let outcomes: [String: Outcome] = [
        "tcu-1": .ok, "tcu-2": .ok, "tcu-expired": .rejected(.certificateExpired),
        "tcu-wrong-ca": .rejected(.unknownCA), "tcu-gone": .tcpRefused,
    ]

    static func xml(
        _ devices: [RunReport.Device] = devices,
        outcomes: [String: Outcome] = outcomes,
        expectations: Expectations? = nil
    ) throws -> XMLDocument {
        let text = JUnitReport.make(
            RunReport.fixture(devices: devices),
            expectations: expectations,
            allOutcomes: outcomes
        )
        return try XMLDocument(xmlString: text)
    }

    static func attribute(_ name: String, of node: XMLNode) -> String? {
        (node as? XMLElement)?.attribute(forName: name)?.stringValue
    }

    /// The type of each failure, by testcase name.
    static func failures(_ xml: XMLDocument) throws -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: try xml.nodes(forXPath: "//testcase[failure]").map { testcase in
                let failure = try #require(try testcase.nodes(forXPath: "failure").first)
                return (Self.attribute("name", of: testcase) ?? "", Self.attribute("type", of: failure) ?? "")
            }
        )
    }

    @Test func oneSuiteOneTestcasePerDeviceAndAFailurePerDeviceNotOK() throws {
        let xml = try Self.xml()
        #expect(try xml.nodes(forXPath: "/testsuites").count == 1)
        let suite = try #require(try xml.nodes(forXPath: "/testsuites/testsuite").first)
        #expect(try xml.nodes(forXPath: "/testsuites/testsuite").count == 1)
        #expect(try suite.nodes(forXPath: "testcase").count == 5)
        #expect(try xml.nodes(forXPath: "//failure").count == 3)
        #expect(Self.attribute("tests", of: suite) == "5")
        #expect(Self.attribute("failures", of: suite) == "3")
        #expect(Self.attribute("errors", of: suite) == "0")
        let root = try #require(xml.rootElement())
        #expect(Self.attribute("tests", of: root) == "5")
        #expect(Self.attribute("failures", of: root) == "3")
        #expect(
            try Self.failures(xml) == [
                "tcu-expired": "rejected:certificate-expired", "tcu-wrong-ca": "rejected:unknown-ca",
                "tcu-gone": "tcp-refused",
            ]
        )
        let names = try xml.nodes(forXPath: "//testcase").compactMap { Self.attribute("name", of: $0) }
        #expect(names == ["tcu-1", "tcu-2", "tcu-expired", "tcu-gone", "tcu-wrong-ca"], "sorted by device id")
    }

    @Test func aFailureCarriesTheAlertAndTheDiagnosis() throws {
        let failure = try #require(try Self.xml().nodes(forXPath: "//testcase[@name='tcu-expired']/failure").first)
        let body = failure.stringValue ?? ""
        #expect(body.contains("alert received: 45"), "\(body)")
        #expect(body.contains("diagnosis: the certificate expired"), "\(body)")
    }

    @Test func withExpectationsADevicePassesWhenItEndedAsExpected() throws {
        // tcu-expired and tcu-wrong-ca are expected refusals; tcu-2 was expected to be refused; tcu-gone has no line.
        let expectations = try Expectations(
            text: "tcu-1\tok\ntcu-2\trejected\ntcu-expired\trejected\ntcu-wrong-ca\trejected:unknown-ca\n",
            source: "e"
        )
        let xml = try Self.xml(expectations: expectations)
        #expect(try xml.nodes(forXPath: "//testcase").count == 5)
        #expect(try Self.failures(xml) == ["tcu-2": "ok", "tcu-gone": "tcp-refused"])
        let message = try #require(
            try xml.nodes(forXPath: "//testcase[@name='tcu-2']/failure").first.flatMap {
                Self.attribute("message", of: $0)
            }
        )
        #expect(message.contains("ok") && message.contains("expected rejected"), "\(message)")
    }

    /// A device id with markup characters stays the same id, and the document stays well-formed.
    @Test func idsAndDetailsAreEscaped() throws {
        let id = #"tcu-<b>&"1"'"#
        let devices: [RunReport.Device] = [.failed(id, .protocolError, detail: "got <html> & \u{1}garbage")]
        let xml = try Self.xml(devices, outcomes: [id: .protocolError])
        let testcase = try #require(try xml.nodes(forXPath: "//testcase").first)
        #expect(Self.attribute("name", of: testcase) == id)
        #expect(
            try testcase.nodes(forXPath: "failure").first?.stringValue == "got <html> & garbage",
            "control characters are dropped"
        )
    }

    @Test func aFailedGateIsAFailedTestcaseOfItsOwnSuite() throws {
        let gates = [
            RunReport.Gate(name: "max-p99", passed: false, detail: "p99 120 ms is over 100 ms"),
            RunReport.Gate(name: "max-failure-rate", passed: true, detail: "0.0 ≤ 0.1"),
        ]
        let okOnly: [RunReport.Device] = [.ok("tcu-1")]
        let text = JUnitReport.make(
            RunReport.fixture(devices: okOnly, gates: gates),
            expectations: nil,
            allOutcomes: ["tcu-1": .ok]
        )
        let xml = try XMLDocument(xmlString: text)
        #expect(try xml.nodes(forXPath: "/testsuites/testsuite").count == 2)
        #expect(try Self.failures(xml) == ["max-p99": "gate"])
        let root = try #require(xml.rootElement())
        #expect(Self.attribute("tests", of: root) == "3")
        #expect(Self.attribute("failures", of: root) == "1")
    }

    @Test func anInterruptedRunListsEveryDeviceWithTheUndecidedSkipped() throws {
        let decided: [RunReport.Device] = [.ok("tcu-1"), .failed("tcu-2", .tcpRefused)]
        let report = RunReport.fixture(
            interrupted: true,
            devices: decided,
            gates: [.init(name: "complete", passed: false, detail: "the run was interrupted")]
        )
        let text = JUnitReport.make(
            report,
            expectations: nil,
            allOutcomes: ["tcu-1": .ok, "tcu-2": .tcpRefused],
            deviceIDs: ["tcu-1", "tcu-2", "tcu-3", "tcu-4"]
        )
        let xml = try XMLDocument(xmlString: text)
        let skipped = try xml.nodes(forXPath: "//testcase[skipped]").compactMap { Self.attribute("name", of: $0) }
        #expect(skipped == ["tcu-3", "tcu-4"])
        #expect(try xml.nodes(forXPath: "//testcase[@classname='fleetsim.devices']").count == 4)
        #expect(try Self.failures(xml) == ["tcu-2": "tcp-refused", "complete": "gate"])
        #expect(Self.attribute("skipped", of: try #require(xml.rootElement())) == "2")
    }
}
