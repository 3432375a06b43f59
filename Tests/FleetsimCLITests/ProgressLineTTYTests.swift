import FleetPKI
import FleetTestSupport
import Foundation
import Testing

/// The live progress line on a real terminal (a pty from Python's `pty` module, with a controlling
/// terminal so Ctrl-C is a typed `\x03` that the line discipline turns into SIGINT and echoes as
/// `^C`): it shows p99 and the failures by class, and after Ctrl-C neither a dangling
/// `fleetsim: ` nor a progress line is left on screen, and the summary starts a line of its own.
@Suite(.serialized) struct ProgressLineTTYTests {
    static let script = #"""
        import fcntl, os, pty, re, select, struct, subprocess, sys, termios, time
        out, args = sys.argv[1], sys.argv[2:]
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
        def controlling():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        child = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, preexec_fn=controlling)
        os.close(slave)
        data, typed, deadline = b"", False, time.time() + 90
        while time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
            if not typed and re.search(rb"p99 [0-9.]+ms.*failed: [a-z]", data.split(b"\r")[-1]):
                os.write(master, b"\x03")
                typed = True
        status = child.wait(timeout=30)
        open(out, "wb").write(data)
        print("typed" if typed else "never typed", status)
        """#

    /// What a terminal shows after `bytes`: carriage return, newline, erase-line (`ESC [ 2K`) and
    /// printable text; other escape sequences are skipped.
    static func screen(_ bytes: String) -> [String] {
        var lines: [[Unicode.Scalar]] = [[]]
        var column = 0
        // Scalars, not Characters: "\r\n" is one Character.
        var scalars = Array(bytes.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\r": column = 0
            case "\n":
                lines.append([])
                column = 0
            case "\u{1B}":
                var sequence = ""
                while let next = scalars.popFirst() {
                    sequence.unicodeScalars.append(next)
                    if next.properties.isAlphabetic { break }
                }
                if sequence == "[2K" { lines[lines.count - 1] = [] }
            default:
                var line = lines[lines.count - 1]
                while line.count < column { line.append(" ") }
                if column < line.count { line[column] = scalar } else { line.append(scalar) }
                lines[lines.count - 1] = line
                column += 1
            }
        }
        return lines.map { String(String.UnicodeScalarView($0)).trimmingCharacters(in: .whitespaces) }
    }

    @Test func ctrlCLeavesNoProgressOrDanglingPrefixOnScreen() async throws {
        let fixture = try await PKIFixture.make()
        defer { fixture.directory.remove() }
        var pki = fixture.pki
        // Devices sort after the defective ones: failures show within the first second, and the run
        // (40 devices at 8/s) is still going when Ctrl-C comes.
        _ = try await pki.issueDevices(count: 40, prefix: "zz-", defect: .none, algorithm: .ecdsaP256)
        let server = try await FleetsimServer(["--dir", fixture.layout.directory], in: fixture.directory)
        defer { server.stop() }
        let script = try fixture.directory.write("tty-driver.py", Self.script)
        let capture = fixture.directory.path("tty.bytes")
        let result = try await ForeignProcess.run(
            "/usr/bin/python3",
            [
                script, capture, FleetsimBinary.path, "run", "--target", "127.0.0.1:\(server.port)", "--dir",
                fixture.layout.directory, "--server-name", "localhost", "--rate", "8",
            ],
            in: fixture.directory,
            timeout: .seconds(150)
        )
        #expect(result.stdout.hasPrefix("typed 130"), "Ctrl-C typed, exit 130: \(result.output)")
        let bytes = String(decoding: try Data(contentsOf: URL(fileURLWithPath: capture)), as: UTF8.self)
        #expect(bytes.contains("\r\u{1B}[2K"), "the line is redrawn in place")
        #expect(bytes.range(of: #"p99 [0-9.]+ms \(1s: [0-9.]+ms\)"#, options: .regularExpression) != nil)
        #expect(bytes.range(of: #"failed: [a-z-]+ [0-9]+"#, options: .regularExpression) != nil, "\(bytes)")

        let lines = Self.screen(bytes)
        let progress = #"^[0-9.]+s started [0-9]+/"#
        #expect(!lines.contains { $0.range(of: progress, options: .regularExpression) != nil }, "\(lines)")
        #expect(!lines.contains { $0.hasSuffix("fleetsim:") }, "no dangling prefix: \(lines)")
        #expect(lines.contains { $0.hasPrefix("fleetsim: interrupted: stopping") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("fleetsim run → 127.0.0.1:") && $0.hasSuffix("INTERRUPTED") }, "\(lines)")
    }
}
