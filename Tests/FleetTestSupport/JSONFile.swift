import Foundation

/// A JSON report or diff a test's command wrote, as the generic objects a script would see.
public enum JSONFile {
    /// The top-level object of the JSON file at `path`.
    public static func object(_ path: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        guard let object = value as? [String: Any] else { throw ForeignProcessError("\(path): not a JSON object") }
        return object
    }

    /// A report's gates by name: passed or not.
    public static func gates(_ report: [String: Any]) -> [String: Bool] {
        let list = (report["gates"] as? [[String: Any]]) ?? []
        return Dictionary(
            list.map { ($0["name"] as? String ?? "", $0["passed"] as? Bool ?? false) },
            uniquingKeysWith: { first, _ in first }
        )
    }
}
