import Foundation

/// The `parameters` object of a report's JSON, flattened for comparison: `key.sub` → the value as
/// compact JSON text. Read from the raw JSON rather than ``RunReport`` so that `report diff`
/// compares whatever parameters a report carries, including keys newer than this build.
public enum ReportParameters {
    /// nil when the report has no `parameters` object (older reports).
    public static func flattened(_ json: Data) -> [String: String]? {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let parameters = object["parameters"] as? [String: Any]
        else { return nil }
        var flat: [String: String] = [:]
        Self.flatten(parameters, prefix: "", into: &flat)
        return flat
    }

    static func flatten(_ object: [String: Any], prefix: String, into flat: inout [String: String]) {
        for (key, value) in object {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let nested = value as? [String: Any] {
                Self.flatten(nested, prefix: name, into: &flat)
            } else if let data = try? JSONSerialization.data(
                withJSONObject: value,
                options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]
            ) {
                flat[name] = String(decoding: data, as: UTF8.self)
            }
        }
    }
}
