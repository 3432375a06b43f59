import FleetTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `serve --ocsp-staple FILE`: `openssl s_client -status` and `fleetsim run --ocsp must-staple` see
/// the staple in TLS 1.2 and 1.3; a file that changes is stapled without a restart; a file that
/// cannot be stapled stops start-up with its code. Responses made by `openssl ocsp` for an
/// openssl-made CA that signs both the server and the device.
@Suite(.serialized) struct ServeStaplingTests {
    struct Setup {
        let directory: TemporaryDirectory
        let ca: OpenSSLCA
        let identities: String
        let server: (certificate: String, key: String)
        /// Responses by name: good, backdated, revoked, wrong-signer, stale, unknown, device (another certificate).
        let staples: [String: String]
    }

    static func make() async throws -> Setup {
        let directory = try TemporaryDirectory(prefix: "fleetsim-serve-staple")
        let ca = try await OpenSSLCA.make("staple-ca", in: directory)
        let other = try await OpenSSLCA.make("other-ca", in: directory)
        let server = try await ca.issueServer("broker", ocspURL: "http://127.0.0.1:9/")
        let (identities, device) = try await ca.identities(["tcu-1"], in: directory.path("identities"))
        var staples: [String: String] = [:]
        staples["good"] = try await ca.ocspResponse(for: server.0, .fromDatabase, name: "good")
        staples["backdated"] = try await ca.ocspResponse(for: server.0, .backdated, name: "backdated")
        staples["wrong-signer"] = try await ca.ocspResponse(for: server.0, .signedBy(other), name: "wrong-signer")
        staples["stale"] = try await ca.ocspResponse(for: server.0, .stale, name: "stale")
        staples["device"] = try await ca.ocspResponse(for: device, .fromDatabase, name: "device")
        staples["unknown"] = try await ca.ocspResponse(for: server.0, .unknown, name: "unknown")
        try await ca.revoke(server.0)
        staples["revoked"] = try await ca.ocspResponse(for: server.0, .fromDatabase, name: "revoked")
        return Setup(directory: directory, ca: ca, identities: identities, server: server, staples: staples)
    }

    static func serve(_ setup: Setup, _ extra: [String]) async throws -> FleetsimServer {
        try await FleetsimServer(
            [
                "--ca", setup.ca.certificate, "--cert", setup.server.certificate, "--key", setup.server.key,
                "--protocol", "tls", "--audit", setup.directory.path("audit.jsonl"),
            ] + extra,
            in: setup.directory
        )
    }

    /// What `openssl s_client -status` prints about the staple, and whether its handshake verified.
    static func sClient(_ setup: Setup, port: Int, version: String) async throws -> String {
        let (device, key) = ("\(setup.identities)/tcu-1.pem", "\(setup.identities)/tcu-1.key")
        let result = try await ForeignProcess.run(
            "openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(port)", version, "-status", "-cert", device, "-key", key,
                "-CAfile", setup.ca.certificate, "-servername", "localhost", "-verify_return_error",
            ],
            in: setup.directory,
            input: "",
            timeout: .seconds(20)
        )
        return result.output
    }

    @Test(arguments: ["-tls1_2", "-tls1_3"])
    func sClientGetsTheStapleAndNoneWithout(version: String) async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        let stapling = try await Self.serve(setup, ["--ocsp-staple", setup.staples["good"]!])
        defer { stapling.stop() }
        let stapled = try await Self.sClient(setup, port: stapling.port, version: version)
        #expect(stapled.contains("OCSP Response Status: successful"), "\(stapled)")
        #expect(stapled.contains("Cert Status: good"), "\(stapled)")
        #expect(stapled.contains("Verify return code: 0 (ok)"), "\(stapled)")
        let plain = try await Self.serve(setup, [])
        defer { plain.stop() }
        let none = try await Self.sClient(setup, port: plain.port, version: version)
        #expect(none.contains("OCSP response: no response sent"), "\(none)")
        #expect(!none.contains("Cert Status"), "\(none)")
    }

    @Test(arguments: ["1.2", "1.3"])
    func mustStapleDevicesAreAcceptedOnlyWithTheStaple(version: String) async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        for staple in [true, false] {
            let server = try await Self.serve(setup, staple ? ["--ocsp-staple", setup.staples["good"]!] : [])
            defer { server.stop() }
            let (outcome, seen) = try await MustStapleDevice.run(
                port: server.port,
                identities: setup.identities,
                ca: setup.ca.certificate,
                in: setup.directory,
                extra: ["--tls", version]
            )
            #expect(outcome == (staple ? "ok" : "server-untrusted"), "staple \(staple)")
            #expect(seen == (staple ? "good" : "missing"), "staple \(staple)")
        }
    }

    @Test func aChangedFileIsStapledWithoutRestartAndABadOneKeepsTheLastGood() async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        let file = setup.directory.path("staple.der")
        try Data(contentsOf: URL(fileURLWithPath: setup.staples["good"]!)).write(to: URL(fileURLWithPath: file))
        let server = try await Self.serve(setup, ["--ocsp-staple", file])
        defer { server.stop() }
        let audit = AuditLogFile(setup.directory.path("audit.jsonl"))
        let thisUpdate = { (text: String) in
            text.split(separator: "\n").first { $0.contains("This Update:") }.map(String.init)
        }
        let first = try await Self.sClient(setup, port: server.port, version: "-tls1_3")
        let original = try #require(thisUpdate(first), "\(first)")

        // Garbage: refused, audited, and the good staple stays.
        try Self.replace(file, with: Data("not a response".utf8), in: setup)
        try await audit.waitForLines(1) { $0.verdict == "reload-failed" && $0.phase == "ocsp-staple" }
        let kept = try await Self.sClient(setup, port: server.port, version: "-tls1_3")
        #expect(thisUpdate(kept) == original, "\(kept)")

        // Another good response: the next handshakes staple it (SIGHUP not needed).
        try Self.replace(file, with: try Data(contentsOf: URL(fileURLWithPath: setup.staples["backdated"]!)), in: setup)
        try await audit.waitForLines(1) { $0.verdict == "reloaded" && $0.phase == "ocsp-staple" }
        let fresh = try await Self.sClient(setup, port: server.port, version: "-tls1_2")
        #expect(fresh.contains("Cert Status: good"), "\(fresh)")
        #expect(thisUpdate(fresh) != nil && thisUpdate(fresh) != original, "\(fresh)")
    }

    /// Replaces `path` atomically, as `openssl ocsp -respout` into a temporary file and `mv` would.
    static func replace(_ path: String, with data: Data, in setup: Setup) throws {
        let temporary = setup.directory.path("staple-\(UUID().uuidString.prefix(6)).tmp")
        try data.write(to: URL(fileURLWithPath: temporary))
        try #require(rename(temporary, path) == 0, "rename \(temporary) → \(path): errno \(errno)")
    }

    @Test func aFileThatCannotBeStapledStopsStartUpWithItsCode() async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        let garbage = setup.directory.path("garbage.der")
        try Data("not a response".utf8).write(to: URL(fileURLWithPath: garbage))
        let huge = setup.directory.path("huge.der")
        try Data(repeating: 0x30, count: 100_000).write(to: URL(fileURLWithPath: huge))
        let cases: [(String, String)] = [
            (garbage, "ocsp-staple:unusable"),
            (huge, "ocsp-staple:unusable"),
            ("/dev/zero", "ocsp-staple:unusable"),
            (setup.staples["revoked"]!, "ocsp-staple:not-good"),
            (setup.staples["stale"]!, "ocsp-staple:invalid"),
            (setup.staples["wrong-signer"]!, "ocsp-staple:invalid"),
            (setup.staples["device"]!, "ocsp-staple:invalid"),
            (setup.staples["unknown"]!, "ocsp-staple:not-good"),
            (setup.directory.path("missing.der"), "pki:no-such-file"),
        ]
        for (file, code) in cases {
            let result = try await MustStapleDevice.serveRefused(
                [
                    "--ca", setup.ca.certificate, "--cert", setup.server.certificate, "--key", setup.server.key,
                    "--ocsp-staple", file,
                ],
                in: setup.directory
            )
            #expect(result.status == 2, "\(file): \(result.output)")
            #expect(result.stderr.contains("error[\(code)]"), "\(file): \(result.output)")
            #expect(result.stderr.contains(file), "the message names the file: \(result.output)")
        }
    }

    /// wolfSSL checks the server's own certificate against the trust store for every ClientHello
    /// with status_request (measured: -188 without its issuer there): refused at start instead.
    @Test func aServerWhoseIssuerIsNotADeviceCAIsRefusedAtStart() async throws {
        let setup = try await Self.make()
        defer { setup.directory.remove() }
        let deviceCA = try await OpenSSLCA.make("device-only-ca", in: setup.directory)
        let result = try await MustStapleDevice.serveRefused(
            [
                "--ca", deviceCA.certificate, "--cert", setup.server.certificate, "--key", setup.server.key,
                "--ocsp-staple", setup.staples["good"]!,
            ],
            in: setup.directory
        )
        #expect(result.status == 2, "\(result.output)")
        #expect(result.stderr.contains("error[staple-issuer-untrusted]"), "\(result.output)")
    }
}
