import FleetCore

/// An `--expect` file: lines `DEVICE-ID<TAB>OUTCOME` (DESIGN.md §4). `rejected` matches any
/// `rejected:*`; `#` starts a comment. The run fails on any difference: a listed device that ended
/// otherwise, a listed device that did not run (unless the run selected a subset), a device that
/// ran without a line.
public struct Expectations: Sendable {
    public enum Expected: Sendable, Equatable, CustomStringConvertible {
        case exactly(Outcome)
        case anyRejection

        public func matches(_ outcome: Outcome) -> Bool {
            switch self {
            case .exactly(let expected): return expected == outcome
            case .anyRejection:
                if case .rejected = outcome { return true }
                return false
            }
        }

        public var description: String {
            switch self {
            case .exactly(let outcome): outcome.identifier
            case .anyRejection: "rejected"
            }
        }
    }

    public let byDevice: [String: Expected]

    /// A line of the file cannot be read; the message names the file and the line.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        /// What is wrong with the line, as a stable identifier.
        public enum Code: String, Sendable, Hashable, CaseIterable {
            /// Not two fields `DEVICE-ID<TAB>OUTCOME`.
            case malformedLine = "malformed-line"
            /// The second field is not an outcome identifier (nor `rejected`).
            case unknownOutcome = "unknown-outcome"
        }

        public let code: Code
        /// The file (the `source` given to the parser).
        public let path: String
        /// The line number, from 1.
        public let line: Int
        public let description: String
    }

    /// - Throws: ``ParseError`` for the first line that is not `DEVICE-ID<TAB>OUTCOME`.
    public init(text: String, source: String) throws(ParseError) {
        var byDevice: [String: Expected] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line =
                raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
            if fields.isEmpty { continue }
            guard fields.count == 2 else {
                throw ParseError(
                    code: .malformedLine,
                    path: source,
                    line: number + 1,
                    description: "\(source):\(number + 1): expected 'DEVICE-ID<TAB>OUTCOME', found '\(line)'"
                )
            }
            let expected: Expected
            if fields[1] == "rejected" {
                expected = .anyRejection
            } else if let outcome = Outcome(identifier: fields[1]) {
                expected = .exactly(outcome)
            } else {
                throw ParseError(
                    code: .unknownOutcome,
                    path: source,
                    line: number + 1,
                    description:
                        "\(source):\(number + 1): '\(fields[1])' is not an outcome (ok, rejected, rejected:unknown-ca, tcp-refused, …)"
                )
            }
            byDevice[fields[0]] = expected
        }
        self.byDevice = byDevice
    }

    /// One device whose outcome differs from the file.
    public struct Mismatch: Sendable, Equatable {
        public let id: String
        public let expected: String
        public let actual: String
    }

    /// Compares the outcome of every device that ran; `selected` are the ids the run was asked to run.
    public func check(outcomes: [String: Outcome], selected: Set<String>, subset: Bool) -> [Mismatch] {
        var mismatches: [Mismatch] = []
        for (id, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            guard let expected = self.byDevice[id] else {
                mismatches.append(Mismatch(id: id, expected: "(no line in the file)", actual: outcome.identifier))
                continue
            }
            if !expected.matches(outcome) {
                mismatches.append(Mismatch(id: id, expected: expected.description, actual: outcome.identifier))
            }
        }
        for (id, expected) in self.byDevice.sorted(by: { $0.key < $1.key }) where outcomes[id] == nil {
            if subset && !selected.contains(id) { continue }
            mismatches.append(Mismatch(id: id, expected: expected.description, actual: "(did not run)"))
        }
        return mismatches
    }
}
