import FleetTestSupport
import Foundation
import Testing

/// `fleetsim pki verification-cert` as a user runs it, judged by OpenSSL: the certificate a cloud
/// asks for when a CA is registered chains to the CA named and carries the code as its CN.
@Suite struct VerificationCertCommandTests {
    /// An AWS IoT Core registration code: 64 hexadecimal characters, the longest a CN may be.
    static let code = String(repeating: "9f86d081884c7d65", count: 4)

    @Test func signedByTheIssuingCAByDefaultWithTheCodeAsCN() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certs = try await Self.makePKI(in: directory)
        let manifest = try Data(contentsOf: URL(fileURLWithPath: "\(certs)/fleet.json"))
        let before = Self.files(in: certs)

        let made = try await FleetsimBinary.run(
            ["pki", "verification-cert", "--dir", certs, "--code", Self.code],
            in: directory
        )
        #expect(made.status == 0, "\(made.output)")
        let written = "\(certs)/verification-\(Self.code).pem"
        #expect(made.stdout.contains(written), "names the file: \(made.stdout)")
        #expect(made.stdout.contains("\(certs)/intermediate.pem"), "names the CA: \(made.stdout)")
        // Only the certificate: no key beside it, no device in fleet.json.
        #expect(Self.files(in: certs) == before.union(["verification-\(Self.code).pem"]))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(certs)/fleet.json")) == manifest)

        #expect(try await Self.verify(written, trusting: "\(certs)/intermediate.pem", in: directory) == 0)
        #expect(try await Self.commonName(of: written, in: directory) == Self.code)
        // The full chain holds too: root → issuing CA → verification certificate.
        let chain = try await ForeignProcess.run(
            "openssl",
            ["verify", "-CAfile", "\(certs)/root.pem", "-untrusted", "\(certs)/intermediate.pem", written],
            in: directory
        )
        #expect(chain.status == 0, "\(chain.output)")
    }

    @Test func signedByTheRootWithCAroot() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certs = try await Self.makePKI(in: directory)
        let code = "reg/code:42"
        let out = directory.path("proof.pem")

        let made = try await FleetsimBinary.run(
            ["pki", "verification-cert", "--dir", certs, "--code", code, "--ca", "root", "--out", out],
            in: directory
        )
        #expect(made.status == 0, "\(made.output)")
        #expect(made.stdout.contains("\(certs)/root.pem"), "names the CA: \(made.stdout)")
        #expect(!FileManager.default.fileExists(atPath: "\(certs)/verification-reg_code_42.pem"), "--out overrides")

        #expect(try await Self.verify(out, trusting: "\(certs)/root.pem", in: directory) == 0)
        #expect(try await Self.verify(out, trusting: "\(certs)/intermediate.pem", in: directory) != 0)
        #expect(try await Self.commonName(of: out, in: directory) == code)
    }

    @Test func aCodeThatCannotBeACommonNameWritesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certs = try await Self.makePKI(in: directory)
        let before = Self.files(in: directory.url.path)
        for code in ["", Self.code + "0", "ab\u{07}cd"] {
            let refused = try await FleetsimBinary.run(
                ["pki", "verification-cert", "--dir", certs, "--code", code],
                in: directory
            )
            #expect(refused.status == 2, "\(code.debugDescription): \(refused.output)")
            #expect(refused.inputErrorCode == "pki:bad-verification-code", "\(refused.stderr)")
            #expect(refused.stderr.contains("--code"), "names the option: \(refused.stderr)")
            #expect(refused.stdout.isEmpty)
            // Only the runner's own output files are new.
            let new = Self.files(in: directory.url.path).subtracting(before)
            #expect(new.allSatisfy { $0.hasSuffix(".stdout") || $0.hasSuffix(".stderr") }, "\(new.sorted())")
        }
    }

    @Test func withoutAPKIItNamesTheDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.path("no-pki-here")
        let refused = try await FleetsimBinary.run(
            ["pki", "verification-cert", "--dir", missing, "--code", Self.code],
            in: directory
        )
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.inputErrorCode == "pki:no-pki", "\(refused.stderr)")
        #expect(refused.stderr.contains(missing))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    // MARK: - helpers

    /// A PKI made by `fleetsim pki init`, as a user makes one; returns its directory.
    static func makePKI(in directory: TemporaryDirectory) async throws -> String {
        let certs = directory.path("certs")
        let created = try await FleetsimBinary.run(["pki", "init", "--dir", certs], in: directory)
        try #require(created.status == 0, "\(created.output)")
        return certs
    }

    /// `openssl verify -partial_chain` with `ca` as the only trust anchor: its exit status.
    static func verify(_ certificate: String, trusting ca: String, in directory: TemporaryDirectory) async throws
        -> Int32
    {
        try await ForeignProcess.run(
            "openssl",
            ["verify", "-partial_chain", "-CAfile", ca, certificate],
            in: directory
        ).status
    }

    /// The subject CN as `openssl x509 -noout -subject` prints it (`subject=CN = VALUE`), parsed
    /// into its attributes (`KEY = VALUE`, separated by `, `).
    static func commonName(of certificate: String, in directory: TemporaryDirectory) async throws -> String? {
        let shown = try await ForeignProcess.run(
            "openssl",
            ["x509", "-noout", "-subject", "-in", certificate],
            in: directory
        )
        try #require(shown.status == 0, "\(shown.output)")
        let line = shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("subject=") else { return nil }
        let attributes = line.dropFirst("subject=".count).components(separatedBy: ", ").map {
            $0.components(separatedBy: " = ")
        }
        return attributes.first { $0.count == 2 && $0[0] == "CN" }?[1]
    }

    /// Every file below `path`, relative to it.
    static func files(in path: String) -> Set<String> {
        Set(FileManager.default.enumerator(atPath: path)?.allObjects.compactMap { $0 as? String } ?? [])
    }
}
