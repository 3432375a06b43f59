internal import CWolfSSL

/// A TLS session a device can resume (a TLS 1.3 ticket, or a TLS 1.2 session ticket/id), as
/// embedded devices do to save the energy of a full handshake.
///
/// **Thread-safety:** immutable after creation; wolfSSL copies it into each session that resumes
/// it (`wolfSSL_set_session`), so one value may be handed to a connection on any event loop.
public final class TLSSession: @unchecked Sendable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        wolfSSL_SESSION_free(self.handle)
    }
}
