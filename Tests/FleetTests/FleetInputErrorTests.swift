import Fleet
import FleetTestSupport
import Foundation
import Testing

/// A profile, an identities folder or an `--expect` file that cannot be used says why by code,
/// and which file, key or line it is about — the CLI prints the code as `error[…]`.
@Suite struct FleetInputErrorTests {
    @Test func profilesThatCannotBeUsed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cases: [(text: String?, code: DeviceProfile.LoadError.Code, key: String?)] = [
            (nil, .unreadableFile, nil),
            ("tls: [unclosed\n  - :", .notYAML, nil),
            ("- tls\n- mqtt\n", .notAMapping, nil),
            ("timeouts:\n  connect: fast\n", .badValue, "timeouts.connect"),
            ("tls: 1.3\n", .badValue, "tls"),
            ("mqtt: { qos: 2 }\n", .badValue, "mqtt.qos"),
            ("tls: { version: 1.3 }\n", .unknownKey, "tls.version"),
            ("colour: blue\n", .unknownKey, "colour"),
        ]
        for (index, (text, code, key)) in cases.enumerated() {
            let path = directory.path("profile-\(index).yaml")
            if let text { try directory.write("profile-\(index).yaml", text) }
            let error = #expect(throws: DeviceProfile.LoadError.self, "\(text ?? "no file")") {
                try DeviceProfile.load(path: path)
            }
            #expect(error?.code == code, "\(error?.description ?? "")")
            #expect(error?.key == key)
            #expect(error?.path == path)
        }
    }

    @Test func anIdentitiesFolderThatIsNotThere() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("devices", "a file, not a folder\n")
        for path in [directory.path("missing"), file] {
            let error = #expect(throws: IdentityDirectory.LoadError.self) { try IdentityDirectory.list(path) }
            #expect(error?.code == .noSuchDirectory)
            #expect(error?.path == path)
        }
    }

    @Test func expectationLinesThatCannotBeRead() {
        let cases: [(text: String, code: Expectations.ParseError.Code, line: Int)] = [
            ("tcu-1\tok\ntcu-2\n", .malformedLine, 2),
            ("# comment\n\ntcu-1\tok extra\n", .malformedLine, 3),
            ("tcu-1\tfine\n", .unknownOutcome, 1),
            ("tcu-1\trejected:no-such-alert\n", .unknownOutcome, 1),
        ]
        for (text, code, line) in cases {
            let error = #expect(throws: Expectations.ParseError.self) {
                try Expectations(text: text, source: "expect.tsv")
            }
            #expect(error?.code == code, "\(error?.description ?? "")")
            #expect(error?.line == line)
            #expect(error?.path == "expect.tsv")
        }
        #expect(throws: Never.self) {
            try Expectations(text: "tcu-1\tok\ntcu-2 rejected # any\n", source: "expect.tsv")
        }
    }
}
