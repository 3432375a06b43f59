/// Escaping for text placed in XML (JUnit) and HTML reports: the five markup characters, and
/// control characters XML 1.0 forbids (they occur in wolfSSL error texts and hostile peers' data).
enum MarkupText {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                if let ascii = character.asciiValue, ascii < 0x20, ascii != 0x0A, ascii != 0x09 { continue }
                out.append(character)
            }
        }
        return out
    }
}
