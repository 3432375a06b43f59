internal import CWolfSSL
import FleetCore
import Foundation

/// What `repro` shows of a connection that only wolfSSL's message callback sees: each handshake
/// message or alert that travelled in clear, and the cipher suites the ClientHello really offered.
extension TLSConnection {
    /// The message callback's work: name each handshake message or alert that travelled in clear.
    func observe(sent: Bool, contentType: Int32, bytes: UnsafeRawBufferPointer) {
        guard let trace = self.trace else { return }
        var body = bytes[...]
        // Sent records arrive with their 5-byte record header, received messages without it.
        if body.count >= 5, body[body.startIndex] == UInt8(contentType), body[body.startIndex + 1] == 3 {
            body = body.dropFirst(5)
        }
        let text: String
        switch contentType {
        case 20:
            text = "ChangeCipherSpec"
            if sent { self.sentChangeCipherSpec = true }
        case 21:
            guard body.count >= 2 else { return }
            let code = body[body.startIndex + 1]
            text = "alert \(TLSAlert(code: code).description) (\(body[body.startIndex] == 2 ? "fatal" : "warning"))"
        case 22:
            guard let type = body.first else { return }
            // After ChangeCipherSpec the record is encrypted: in TLS 1.2 that is the Finished message.
            if sent && self.sentChangeCipherSpec {
                trace.record(.sent, "Finished (encrypted)")
                return
            }
            if !sent && type == 22 {
                self.recordStaple(Array(body), in: trace)
                return
            }
            text =
                Self.handshakeName(type) + " (\(body.count) bytes)"
                + (sent && type == 1 ? Self.offeredSuites(clientHello: Array(body)).map { ": offers \($0)" } ?? "" : "")
        default:
            return
        }
        trace.record(sent ? .sent : .received, text)
    }

    /// A TLS 1.2 CertificateStatus: type(1) length(3) status_type(1, ocsp) length(3) OCSPResponse.
    func recordStaple(_ message: [UInt8], in trace: ConnectionTrace) {
        let facts = message.count > 8 && message[4] == 1 ? OCSPStapleFacts(der: Array(message[8...])) : nil
        trace.stapledOCSP = facts
        trace.record(
            .received,
            "CertificateStatus (\(message.count) bytes): OCSP " + (facts?.summary ?? "response that could not be read")
        )
    }

    /// The cipher suites a ClientHello offers, by wolfSSL's names: the truth of what went out.
    static func offeredSuites(clientHello message: [UInt8]) -> String? {
        // type(1) length(3) version(2) random(32) session_id(1+n) cipher_suites(2+2k)
        var index = 4 + 2 + 32
        guard message.count > index else { return nil }
        index += 1 + Int(message[index])
        guard message.count >= index + 2 else { return nil }
        let length = Int(message[index]) << 8 | Int(message[index + 1])
        index += 2
        guard message.count >= index + length else { return nil }
        var names: [String] = []
        for offset in stride(from: index, to: index + length - 1, by: 2) {
            let (first, second) = (message[offset], message[offset + 1])
            if first == 0x00 && second == 0xFF { continue }  // renegotiation SCSV, not a suite
            let name = wolfSSL_get_cipher_name_from_suite(first, second).map { String(cString: $0) }
            names.append(name.flatMap { $0 == "None" ? nil : $0 } ?? String(format: "0x%02X%02X", first, second))
        }
        return names.joined(separator: ", ")
    }

    private static func handshakeName(_ type: UInt8) -> String {
        switch type {
        case 1: "ClientHello"
        case 2: "ServerHello"
        case 4: "NewSessionTicket"
        case 8: "EncryptedExtensions"
        case 11: "Certificate"
        case 12: "ServerKeyExchange"
        case 13: "CertificateRequest"
        case 14: "ServerHelloDone"
        case 15: "CertificateVerify"
        case 16: "ClientKeyExchange"
        case 20: "Finished"
        default: "handshake message \(type)"
        }
    }

    /// The versions offered, as text (e.g. "1.2–1.3").
    var offeredVersions: String {
        let range = self.versionRange
        return range.0 == range.1 ? range.0.rawValue : "\(range.0.rawValue)–\(range.1.rawValue)"
    }
}
