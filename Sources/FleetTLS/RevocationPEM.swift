/// The `X509 CRL` blocks of a PEM text, each as its own PEM text: wolfSSL's CRL loader reads only
/// the first CRL of a buffer, so a bundle is handed over one CRL at a time.
enum RevocationPEM {
    static func blocks(in text: String) -> [String] {
        let begin = "-----BEGIN X509 CRL-----"
        let end = "-----END X509 CRL-----"
        var blocks: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: begin), let stop = rest[start.upperBound...].range(of: end) {
            blocks.append(String(rest[start.lowerBound..<stop.upperBound]) + "\n")
            rest = rest[stop.upperBound...]
        }
        return blocks
    }
}
