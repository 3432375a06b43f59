import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.0 exchange over a blocking socket to 127.0.0.1, for scraping `--metrics` and
/// asking `pki ocsp` in tests without depending on curl or URLSession's networking stack.
public enum HTTPGet {
    public struct Response: Sendable {
        public let status: Int
        public let headers: String
        /// The body as text (metrics).
        public let body: String
        /// The body as bytes (an OCSP response).
        public let bytes: [UInt8]
    }

    public static func fetch(port: Int, path: String, timeoutSeconds: Int = 5) throws -> Response {
        try Self.send(port: port, method: "GET", path: path, timeoutSeconds: timeoutSeconds)
    }

    /// Sends `method path` with `body` (and its Content-Length, or `contentLength` when given: a
    /// declared size the body does not have) and reads the answer until the server closes.
    public static func send(
        port: Int,
        method: String,
        path: String,
        body: [UInt8] = [],
        contentType: String? = nil,
        contentLength: Int? = nil,
        timeoutSeconds: Int = 5
    ) throws -> Response {
        let fd = try Loopback.connect(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var lines = "\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n"
        if let contentType { lines += "Content-Type: \(contentType)\r\n" }
        if method != "GET" || contentLength != nil { lines += "Content-Length: \(contentLength ?? body.count)\r\n" }
        let request = Array((lines + "\r\n").utf8) + body
        // MSG_NOSIGNAL: a server that closes early must fail the test, not kill it with SIGPIPE.
        guard Glibc.send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            throw ForeignProcessError("cannot send the request")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        guard let split = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw ForeignProcessError("not an HTTP response: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        let head = String(decoding: bytes[..<split.lowerBound], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = Array(bytes[split.upperBound...])
        return Response(status: status, headers: head, body: String(decoding: body, as: UTF8.self), bytes: body)
    }
}
