import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// `fleetsim pki ocsp` answering a real client, `openssl ocsp`, over HTTP on 127.0.0.1; and
/// `pki init --ocsp-url` putting the responder's URL in the certificates.
@Suite struct PKIOCSPCommandTests {
    @Test func goodThenRevokedWithoutARestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certs = try await Self.makePKI(in: directory, devices: 2)
        let responder = try await OCSPResponderProcess(["--dir", certs], in: directory)
        defer { responder.stop() }

        let good = try await responder.ask(about: "tcu-00001", certs: certs, in: directory)
        #expect(good.status == "good", "\(good.output)")
        #expect(good.verified, "\(good.output)")
        #expect(!good.output.contains("WARNING"), "nonce echoed, times valid: \(good.output)")
        let sha256 = try await responder.ask(about: "tcu-00002", certs: certs, in: directory, extra: ["-sha256"])
        #expect(sha256.status == "good", "a SHA-256 CertID: \(sha256.output)")

        let revoked = try await FleetsimBinary.run(
            ["pki", "revoke", "--dir", certs, "--reason", "key-compromise", "tcu-00001"],
            in: directory
        )
        #expect(revoked.status == 0, "\(revoked.output)")
        let after = try await responder.ask(about: "tcu-00001", certs: certs, in: directory)
        #expect(after.status == "revoked", "\(after.output)")
        #expect(after.verified, "\(after.output)")
        #expect(after.field("Reason") == "keyCompromise", "\(after.output)")
        let recorded = try #require(try FleetManifest.load(from: "\(certs)/fleet.json").revocations.first?.date)
        #expect(after.revocationTime == Date(timeIntervalSince1970: recorded.timeIntervalSince1970.rounded(.down)))
        #expect(responder.process.isRunning, "the same responder, no restart")
        let still = try await responder.ask(about: "tcu-00002", certs: certs, in: directory)
        #expect(still.status == "good", "\(still.output)")

        // The CRL says the same.
        let crl = try await ForeignProcess.run(
            "openssl",
            ["crl", "-noout", "-text", "-in", "\(certs)/crl.pem"],
            in: directory
        )
        #expect(crl.stdout.contains("Key Compromise"), "\(crl.output)")

        responder.process.signal(SIGTERM)
        #expect(try await responder.process.waitForExit() == 0)
        #expect(responder.process.stdout.contains("stopped: 4 responses (3 good, 1 revoked, 0 unknown)"))
    }

    @Test func aBrokenFleetJSONIsAnInternalErrorUntilItIsFixed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certs = try await Self.makePKI(in: directory, devices: 1)
        let responder = try await OCSPResponderProcess(["--dir", certs], in: directory)
        defer { responder.stop() }
        let manifest = "\(certs)/fleet.json"
        let good = try Data(contentsOf: URL(fileURLWithPath: manifest))

        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: manifest))
        let broken = try await responder.ask(about: "tcu-00001", certs: certs, in: directory)
        #expect(broken.status == nil, "never the last good state: \(broken.output)")
        #expect(broken.output.contains("internalerror (2)"), "\(broken.output)")
        #expect(responder.process.stderr.contains("cannot reload the PKI"), "\(responder.process.stderr)")

        try good.write(to: URL(fileURLWithPath: manifest))
        let fixed = try await responder.ask(about: "tcu-00001", certs: certs, in: directory)
        #expect(fixed.status == "good", "\(fixed.output)")
    }

    @Test func aDeviceOfAnotherPKIIsUnknown() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certs = try await Self.makePKI(in: directory, devices: 1)
        // Same names ("fleetsim issuing CA", tcu-00001), other keys: only the hashes tell them apart.
        let others = try await Self.makePKI(in: directory, devices: 1, name: "other")
        let responder = try await OCSPResponderProcess(["--dir", certs], in: directory)
        defer { responder.stop() }

        let answer = try await responder.ask(
            about: "tcu-00001",
            certs: others,
            in: directory,
            extra: ["-VAfile", "\(certs)/intermediate.pem"]
        )
        #expect(answer.status == "unknown", "\(answer.output)")
        #expect(answer.verified, "\(answer.output)")
    }

    @Test func aDelegatedResponderVerifies() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certs = try await Self.makePKI(in: directory, devices: 1)
        let responder = try await OCSPResponderProcess(["--dir", certs, "--signer", "delegated"], in: directory)
        defer { responder.stop() }

        let answer = try await responder.ask(about: "tcu-00001", certs: certs, in: directory)
        #expect(answer.status == "good", "\(answer.output)")
        #expect(answer.verified, "\(answer.output)")
        let text = try await ForeignProcess.run(
            "openssl",
            ["x509", "-noout", "-text", "-in", "\(certs)/ocsp-responder.pem"],
            in: directory
        )
        #expect(text.stdout.contains("OCSP Signing"), "\(text.output)")
        #expect(text.stdout.contains("OCSP No Check"), "\(text.output)")
        let mode = try FileManager.default.attributesOfItem(atPath: "\(certs)/ocsp-responder.key")[.posixPermissions]
        #expect(mode as? Int == 0o600)
    }

    @Test func getRequestsAndRequestsThatAreNotOCSP() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certs = try await Self.makePKI(in: directory, devices: 1)
        let responder = try await OCSPResponderProcess(["--dir", certs], in: directory)
        defer { responder.stop() }

        let requestFile = directory.path("request.der")
        let made = try await ForeignProcess.run(
            "openssl",
            [
                "ocsp", "-no_nonce", "-issuer", "\(certs)/intermediate.pem", "-cert", "\(certs)/devices/tcu-00001.pem",
                "-reqout", requestFile,
            ],
            in: directory
        )
        #expect(made.status == 0, "\(made.output)")
        let request = try Data(contentsOf: URL(fileURLWithPath: requestFile))
        // RFC 6960 A.1: url-encoded base64 in the path, here under a path of the responder's own.
        let encoded = request.base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let get = try HTTPGet.fetch(port: responder.port, path: "/ocsp/\(encoded)")
        #expect(get.status == 200)
        #expect(get.headers.contains("application/ocsp-response"))
        let responseFile = directory.path("response.der")
        try Data(get.bytes).write(to: URL(fileURLWithPath: responseFile))
        let read = try await ForeignProcess.run(
            "openssl",
            [
                "ocsp", "-no_nonce", "-respin", responseFile, "-issuer", "\(certs)/intermediate.pem", "-cert",
                "\(certs)/devices/tcu-00001.pem", "-CAfile", "\(certs)/root.pem",
            ],
            in: directory
        )
        #expect(
            OpenSSLOCSPAnswer(read, certificate: "\(certs)/devices/tcu-00001.pem").status == "good",
            "\(read.output)"
        )

        let malformed: [UInt8] = [0x30, 0x03, 0x0A, 0x01, 0x01]
        let garbage = try HTTPGet.send(port: responder.port, method: "POST", path: "/", body: Array("hello".utf8))
        #expect(garbage.status == 200)
        #expect(garbage.bytes == malformed, "malformedRequest, as an OCSP response")
        #expect(try HTTPGet.fetch(port: responder.port, path: "/not-a-request").bytes == malformed)
        let huge = try HTTPGet.send(port: responder.port, method: "POST", path: "/", contentLength: 1 << 20)
        #expect(huge.status == 413)
        #expect(huge.bytes == malformed)
        #expect(try HTTPGet.send(port: responder.port, method: "PUT", path: "/").status == 405)
        // Still answering.
        let answer = try await responder.ask(about: "tcu-00001", certs: certs, in: directory)
        #expect(answer.status == "good", "\(answer.output)")
    }

    @Test func ocspURLGoesIntoTheAIAOfWhatThePKIIssues() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = "http://ocsp.fleet.test:8080/ocsp"
        let certs = try await Self.makePKI(in: directory, devices: 1, ocspURL: url)
        #expect(try FleetManifest.load(from: "\(certs)/fleet.json").ocspURL == url)
        for file in ["server.pem", "devices/tcu-00001.pem"] {
            let uri = try await ForeignProcess.run(
                "openssl",
                ["x509", "-noout", "-ocsp_uri", "-in", "\(certs)/\(file)"],
                in: directory
            )
            #expect(uri.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == url, "\(file): \(uri.output)")
        }
        let plain = try await Self.makePKI(in: directory, devices: 1, name: "plain")
        let none = try await ForeignProcess.run(
            "openssl",
            ["x509", "-noout", "-ocsp_uri", "-in", "\(plain)/devices/tcu-00001.pem"],
            in: directory
        )
        #expect(none.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "no --ocsp-url, no AIA")

        for bad in ["https://ocsp.fleet.test", "ocsp.fleet.test", "http://", "http://h:0/", "http://h/?q"] {
            let target = directory.path("bad")
            let refused = try await FleetsimBinary.run(
                ["pki", "init", "--dir", target, "--ocsp-url", bad],
                in: directory
            )
            #expect(refused.status == 2, "\(bad)")
            #expect(refused.stderr.contains("--ocsp-url"), "\(bad): \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "\(target)/root.pem"), "\(bad): nothing made")
        }
    }

    @Test func badResponderOptionsExitTwo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let noPKI = try await FleetsimBinary.run(
            ["pki", "ocsp", "--dir", directory.path("none"), "--listen", "127.0.0.1:0"],
            in: directory
        )
        #expect(noPKI.status == 2)
        #expect(noPKI.inputErrorCode == "pki:no-pki", "\(noPKI.stderr)")
        for arguments in [
            ["--validity", "0s"], ["--validity", "soon"], ["--signer", "root"], ["--listen", "nowhere"],
        ] {
            var all = ["pki", "ocsp", "--dir", directory.path("none")] + arguments
            if !arguments.contains("--listen") { all += ["--listen", "127.0.0.1:0"] }
            let refused = try await FleetsimBinary.run(all, in: directory)
            #expect(refused.status == 2, "\(arguments): \(refused.output)")
            #expect(refused.stderr.contains(arguments[0]), "\(arguments): \(refused.stderr)")
        }
    }

    /// `pki init` (with `--ocsp-url` when given) and `pki issue --count devices` in `<directory>/<name>`.
    static func makePKI(
        in directory: TemporaryDirectory,
        devices: Int,
        name: String = "certs",
        ocspURL: String? = nil
    ) async throws -> String {
        let certs = directory.path(name)
        let created = try await FleetsimBinary.run(
            ["pki", "init", "--dir", certs] + (ocspURL.map { ["--ocsp-url", $0] } ?? []),
            in: directory
        )
        try #require(created.status == 0, "\(created.output)")
        let issued = try await FleetsimBinary.run(
            ["pki", "issue", "--dir", certs, "--count", "\(devices)"],
            in: directory
        )
        try #require(issued.status == 0, "\(issued.output)")
        return certs
    }
}

/// `fleetsim pki ocsp` started on 127.0.0.1, port 0, stopped by pid.
struct OCSPResponderProcess {
    let server: FleetsimServer
    var process: ForeignProcess { self.server.process }
    var port: Int { self.server.port }

    init(_ arguments: [String], in directory: TemporaryDirectory) async throws {
        self.server = try await FleetsimServer(arguments, in: directory, command: ["pki", "ocsp"])
    }

    /// `openssl ocsp` about device `id` of the PKI in `certs`, trusting its root; nonce on (the
    /// default: openssl checks the echo).
    func ask(
        about id: String,
        certs: String,
        in directory: TemporaryDirectory,
        extra: [String] = []
    ) async throws -> OpenSSLOCSPAnswer {
        let certificate = "\(certs)/devices/\(id).pem"
        let result = try await ForeignProcess.run(
            "openssl",
            // `extra` first: openssl takes a digest (-sha256) only before -cert.
            ["ocsp"] + extra + [
                "-issuer", "\(certs)/intermediate.pem", "-cert", certificate, "-url", "http://127.0.0.1:\(self.port)",
                "-CAfile", "\(certs)/root.pem", "-timeout", "10",
            ],
            in: directory
        )
        return OpenSSLOCSPAnswer(result, certificate: certificate)
    }

    func stop() { self.process.stop() }
}

/// What `openssl ocsp` said, read word by word: `<cert>: good|revoked|unknown`, `Response verify
/// OK`, and the `Name: value` lines under the status.
struct OpenSSLOCSPAnswer {
    let output: String
    /// The status word after `<cert>: `; nil when there is none.
    let status: String?
    let verified: Bool

    init(_ result: CommandResult, certificate: String) {
        self.output = result.output
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("\(certificate): ") }
        self.status = line.map { String($0.dropFirst(certificate.count + 2)).trimmingCharacters(in: .whitespaces) }
        self.verified = result.stderr.contains("Response verify OK")
    }

    /// The value of an indented `Name: value` line (`Reason`, `Revocation Time`…).
    func field(_ name: String) -> String? {
        self.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("\(name): ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    /// `Revocation Time: Dec  6 05:26:00 2026 GMT`.
    var revocationTime: Date? {
        guard let text = self.field("Revocation Time") else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy 'GMT'"
        return formatter.date(from: text.split(separator: " ").joined(separator: " "))
    }
}
