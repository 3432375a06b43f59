/// The passphrase of encrypted device keys, held in memory only.
///
/// It is used once per key, at load time (``IdentityFiles/keyPEM(_:label:passphrase:)``), and
/// prints as `KeyPassphrase(redacted)` however it is printed or dumped, so it cannot slip into a
/// log line, a report or an error message.
public struct KeyPassphrase: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let bytes: [UInt8]

    public init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    public var description: String { "KeyPassphrase(redacted)" }
    public var debugDescription: String { self.description }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Calls `body` with the passphrase as a C string (wolfSSL's password argument).
    /// The copy is zeroed afterwards.
    func withCString<T>(_ body: (UnsafePointer<CChar>) -> T) -> T {
        var text = self.bytes.map { CChar(bitPattern: $0) } + [0]
        return text.withUnsafeMutableBufferPointer { buffer in
            defer { buffer.update(repeating: 0) }
            return body(buffer.baseAddress!)
        }
    }
}
