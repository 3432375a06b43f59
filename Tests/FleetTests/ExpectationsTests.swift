import FleetCore
import Testing

@testable import Fleet

/// `--expect` files: their syntax, what `rejected` matches, and every way a run can differ from one.
@Suite struct ExpectationsTests {
    @Test func linesCommentsAndBothSeparatorsParse() throws {
        let text = """
            # device\toutcome
            tcu-1\tok
            tcu-2 rejected   # any alert

            tcu-3\trejected:unknown-ca
            tcu-4\tmqtt-refused:not-authorized
            """
        let expectations = try Expectations(text: text, source: "expect.tsv")
        #expect(expectations.byDevice.count == 4)
        #expect(expectations.byDevice["tcu-1"] == .exactly(.ok))
        #expect(expectations.byDevice["tcu-2"] == .anyRejection)
        #expect(expectations.byDevice["tcu-3"] == .exactly(.rejected(.unknownCA)))
        #expect(expectations.byDevice["tcu-4"] == .exactly(.mqttRefused(.notAuthorized)))
    }

    /// The error names the file and the line, so the user can fix it.
    @Test(arguments: [
        ("tcu-1\tok\ntcu-2\n", 2), ("tcu-1\tok extra\n", 1), ("\n\ntcu-1\tfine\n", 3),
        ("tcu-1\trejected:no-such-alert\n", 1),
    ])
    func aBadLineIsAnErrorAtItsLine(text: String, line: Int) {
        let error = #expect(throws: Expectations.ParseError.self) { try Expectations(text: text, source: "expect.tsv") }
        #expect(error?.description.hasPrefix("expect.tsv:\(line):") == true, "\(error.map(\.description) ?? "")")
    }

    static let everyRejection: [Outcome] = [
        .rejected(.handshakeFailure), .rejected(.badCertificate), .rejected(.unsupportedCertificate),
        .rejected(.certificateRevoked),
        .rejected(.certificateExpired), .rejected(.certificateUnknown), .rejected(.unknownCA), .rejected(.accessDenied),
        .rejected(.protocolVersion), .rejected(.insufficientSecurity), .rejected(.certificateRequired),
    ]

    @Test(arguments: everyRejection)
    func rejectedMatchesAnyRejection(outcome: Outcome) {
        #expect(Expectations.Expected.anyRejection.matches(outcome))
    }

    @Test(arguments: [
        Outcome.ok, .mqttRefused(.notAuthorized), .closedByServer, .protocolError, .serverUntrusted, .handshakeTimeout,
    ])
    func rejectedMatchesNothingElse(outcome: Outcome) {
        #expect(!Expectations.Expected.anyRejection.matches(outcome))
    }

    @Test func anExactRejectionMatchesOnlyItsAlert() {
        let expected = Expectations.Expected.exactly(.rejected(.unknownCA))
        #expect(expected.matches(.rejected(.unknownCA)))
        #expect(Self.everyRejection.filter { expected.matches($0) } == [.rejected(.unknownCA)])
    }

    @Test func everyDifferenceIsAMismatch() throws {
        let expectations = try Expectations(text: "a\tok\nb\trejected\nc\trejected:unknown-ca\nd\tok\n", source: "e")
        let outcomes: [String: Outcome] = [
            "a": .ok, "b": .rejected(.certificateExpired), "c": .rejected(.badCertificate), "x": .ok,
        ]
        let mismatches = expectations.check(outcomes: outcomes, selected: ["a", "b", "c", "d", "x"], subset: false)
        #expect(
            mismatches == [
                .init(id: "c", expected: "rejected:unknown-ca", actual: "rejected:bad-certificate"),
                .init(id: "x", expected: "(no line in the file)", actual: "ok"),
                .init(id: "d", expected: "ok", actual: "(did not run)"),
            ]
        )
    }

    @Test func aSubsetRunSkipsOnlyTheDevicesItDidNotSelect() throws {
        let expectations = try Expectations(text: "a\tok\nb\tok\nc\tok\n", source: "e")
        // Shard of a and b: c is another shard's; b was selected but did not run.
        let mismatches = expectations.check(outcomes: ["a": .ok], selected: ["a", "b"], subset: true)
        #expect(mismatches == [.init(id: "b", expected: "ok", actual: "(did not run)")])
        #expect(expectations.check(outcomes: ["a": .ok, "b": .ok], selected: ["a", "b"], subset: true).isEmpty)
    }
}
