import Foundation

/// The OCSP request in a GET's path (RFC 6960 Appendix A.1): `{url}/{url-encoding of base64 of
/// the DER request}`.
///
/// Clients differ in what they percent-encode ('/', '+' and '=' may or may not be), and the
/// responder may sit under a path of its own, so the path is percent-decoded and each suffix that
/// starts after a '/' is tried, longest first, until one is base64 of bytes `isRequest` accepts.
enum OCSPGetRequest {
    /// The DER request in `uri`; nil when no part of the path is one (or it is over `limit` bytes).
    static func der(in uri: String, limit: Int, isRequest: ([UInt8]) -> Bool) -> [UInt8]? {
        let path = uri.prefix { $0 != "?" && $0 != "#" }
        guard path.utf8.count <= limit * 2, let decoded = String(path).removingPercentEncoding else { return nil }
        var candidate = Substring(decoded)
        while true {
            candidate = candidate.drop { $0 == "/" }
            let padding = String(repeating: "=", count: (4 - candidate.utf8.count % 4) % 4)
            if let data = Data(base64Encoded: candidate + padding), data.count <= limit, isRequest(Array(data)) {
                return Array(data)
            }
            guard let slash = candidate.firstIndex(of: "/") else { return nil }
            candidate = candidate[slash...]
        }
    }
}
