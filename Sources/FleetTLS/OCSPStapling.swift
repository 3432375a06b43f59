/// What a device asks of the server about OCSP (RFC 6066 `status_request`), `--ocsp` / `tls.ocsp`.
///
/// Stapling only: a device never asks a responder itself. wolfSSL 5.5.4's own lookup is a blocking
/// HTTP request to the certificate's AIA URL, which must never run on an event loop, so the context
/// never enables it (``TLSContext`` also installs an OCSP I/O callback that refuses, in case a path
/// of wolfSSL's tries anyway). Measured with that set-up (README, "OCSP stapling"): a good staple is
/// accepted, a revoked one fails with OCSP_CERT_REVOKED, a staple that does not verify, is stale,
/// says unknown or is not for the server's certificate fails with BAD_CERTIFICATE_STATUS_ERROR, and
/// no staple lets the handshake proceed unless the device requires one.
public enum OCSPStapling: String, Sendable, CaseIterable {
    /// No status_request: no C call and no allocation per connection.
    case off
    /// Ask for a staple and judge it when it comes; a server that sends none is accepted.
    case staple
    /// Ask for a staple and refuse a server that sends none (wolfSSL's OCSP must-staple).
    case mustStaple = "must-staple"
}
