import FleetCore
import FleetTLS

extension DeviceProfile {
    /// Typed access to YAML values with errors that say which file and key.
    struct Reader {
        let path: String
        func error(_ key: String, _ message: String) -> LoadError {
            LoadError(.badValue, path: self.path, key: key, "\(self.path): \(key) \(message)")
        }
        func allow(_ mapping: [String: Any], _ keys: Set<String>, in prefix: String) throws(LoadError) {
            if let unknown = mapping.keys.sorted().first(where: { !keys.contains($0) }) {
                throw LoadError(
                    .unknownKey,
                    path: self.path,
                    key: prefix + unknown,
                    "\(self.path): unknown key '\(prefix)\(unknown)' (allowed: \(keys.sorted().map { prefix + $0 }.joined(separator: ", ")))"
                )
            }
        }
        func mapping(_ value: Any, _ key: String) throws(LoadError) -> [String: Any] {
            guard let mapping = value as? [String: Any] else { throw self.error(key, "must be a mapping") }
            return mapping
        }
        func list(_ value: Any, _ key: String) throws(LoadError) -> [Any] {
            if let list = value as? [Any] { return list }
            return [value]
        }
        func string(_ value: Any, _ key: String) throws(LoadError) -> String {
            guard let string = value as? String else { throw self.error(key, "must be text") }
            return string
        }
        /// A client id, user name or topic template (``MQTTTemplate``).
        func template(_ value: Any, _ key: String) throws(LoadError) -> MQTTTemplate {
            let text = value is String ? value as! String : "\(value)"
            do {
                return try MQTTTemplate(parsing: text)
            } catch {
                throw self.error(key, "'\(text)' \(error.description)")
            }
        }
        /// A whole number in `range`.
        func integer(_ value: Any, _ key: String, in range: ClosedRange<Int>) throws(LoadError) -> Int {
            guard let n = value as? Int, range.contains(n) else {
                throw self.error(key, "must be a whole number \(range.lowerBound)–\(range.upperBound)")
            }
            return n
        }
        /// A path relative to the profile's folder, as written or absolute.
        func path(_ value: Any, _ key: String) throws(LoadError) -> String {
            let path = try self.string(value, key)
            guard let slash = self.path.lastIndex(of: "/"), !path.hasPrefix("/") else { return path }
            return String(self.path[...slash]) + path
        }
        /// ALPN protocol names: a list, or one name as text; each validated (`ALPNProtocols`).
        func alpn(_ value: Any, _ key: String) throws(LoadError) -> ALPNProtocols {
            let names = try self.list(value, key).map { name throws(LoadError) -> String in
                guard let name = name as? String else {
                    throw self.error(key, "'\(name)' must be text (quote a name YAML reads as a number)")
                }
                return name
            }
            do {
                return try ALPNProtocols(names)
            } catch {
                throw self.error(key, error.description)
            }
        }
        /// A duration: text (`500ms`, `30s`) or a bare number of seconds, bounded like every duration.
        func duration(_ value: Any, _ key: String) throws(LoadError) -> Double {
            let text = value is Int ? "\(value)s" : value as? String
            guard let text, let seconds = DurationText.seconds(text) else {
                throw self.error(key, "'\(value)' \(DurationText.problem(text ?? "\(value)"))")
            }
            return seconds
        }
    }
}
