import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real program (openssl, mosquitto, fleetsim itself) that a test starts on 127.0.0.1 and stops
/// by pid. Output goes to files so that nothing blocks on a full pipe.
///
/// Spawned with `posix_spawn`, an **empty signal mask and default dispositions**: Foundation's
/// `Process`, called from a Dispatch or Swift Testing worker thread, passes on that thread's
/// blocked signals, so the child silently ignores SIGTERM/SIGINT — and graceful-stop tests would
/// test nothing.
public final class ForeignProcess: @unchecked Sendable {
    public let pid: pid_t
    public let stdoutPath: String
    public let stderrPath: String
    public let command: String
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` (looked up in PATH) with `arguments`; its output files go to `directory`.
    /// Give absolute paths in `arguments`: the child runs in the test's working directory.
    public init(
        _ executable: String,
        _ arguments: [String],
        in directory: TemporaryDirectory,
        name: String,
        input: String? = nil,
        environment: [String: String] = [:]
    ) throws {
        self.command = ([executable] + arguments).joined(separator: " ")
        self.stdoutPath = directory.path("\(name).stdout")
        self.stderrPath = directory.path("\(name).stderr")
        var inputPath = "/dev/null"
        if let input {
            inputPath = directory.path("\(name).stdin")
            try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, self.stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, self.stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of the test process leaks into the child: other tests' sockets held open by
        // a foreign server would keep connections alive and eat the child's descriptor limit.
        ForeignProcess.closeFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw ForeignProcessError("could not start \(executable): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
    }

    public var stdout: String { (try? String(contentsOfFile: self.stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: self.stderrPath, encoding: .utf8)) ?? "" }
    public var output: String { self.stdout + self.stderr }

    /// Whether the process is still running (reaps it if it has exited).
    public var isRunning: Bool { self.poll() == nil }

    /// The exit status: the exit code, or 128 + signal number like a shell; nil while running.
    public var terminationStatus: Int32? { self.poll() }

    private func poll() -> Int32? {
        self.lock.lock()
        defer { self.lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let rc = waitpid(self.pid, &status, WNOHANG)
        guard rc == self.pid else { return nil }
        let signal = status & 0x7f
        self.exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return self.exitStatus
    }

    /// Waits until `text` appears in stdout or stderr (bounded), e.g. s_server's "ACCEPT".
    /// - Throws: ``PollTimeout`` at the deadline; ``ForeignProcessError`` if the process exits first.
    public func waitForOutput(_ text: String, timeout: Duration = .seconds(10)) async throws {
        try await Poll.until(
            "'\(text)' from \(self.command)",
            timeout: timeout,
            interval: .milliseconds(10),
            detail: { self.output }
        ) {
            if self.output.contains(text) { return true }
            if let status = self.terminationStatus {
                throw ForeignProcessError(
                    "\(self.command) exited (\(status)) before printing '\(text)':\n\(self.output)"
                )
            }
            return false
        }
    }

    /// Waits for a line with `marker` and a `127.0.0.1:PORT` after it (`listening on …`,
    /// `metrics on http://…`), and returns the port.
    public func waitForPort(after marker: String, timeout: Duration = .seconds(10)) async throws -> Int {
        try await self.waitForOutput(marker, timeout: timeout)
        let output = self.output
        guard let line = output.split(separator: "\n").first(where: { $0.contains(marker) }),
            let address = line.firstMatch(of: #/127\.0\.0\.1:(\d+)/#), let port = Int(address.1)
        else { throw ForeignProcessError("\(self.command) printed '\(marker)' without 127.0.0.1:PORT:\n\(output)") }
        return port
    }

    /// ``waitForPort(after:timeout:)`` for a server just started: stops it when no port comes.
    public func portOrStop(after marker: String) async throws -> Int {
        do {
            return try await self.waitForPort(after: marker)
        } catch {
            self.stop()
            throw error
        }
    }

    /// Waits for the process to exit by itself (bounded); returns its exit status.
    /// - Throws: ``PollTimeout`` at the deadline, after stopping the process.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(15)) async throws -> Int32 {
        do {
            return try await Poll.value(
                "\(self.command) to exit",
                timeout: timeout,
                interval: .milliseconds(10),
                detail: { self.output }
            ) {
                self.terminationStatus
            }
        } catch let error as PollTimeout {
            self.stop()
            throw error
        }
    }

    /// Sends `signal` to the process.
    public func signal(_ signal: Int32) {
        if self.isRunning { kill(self.pid, signal) }
    }

    /// Stops the process by pid: SIGTERM, then SIGKILL if it lingers past a second; always reaps it.
    public func stop() {
        guard self.isRunning else { return }
        kill(self.pid, SIGTERM)
        for _ in 0..<100 {
            if !self.isRunning { return }
            usleep(10_000)
        }
        kill(self.pid, SIGKILL)
        while self.isRunning { usleep(1_000) }
    }

    deinit {
        self.stop()
    }
}

public struct ForeignProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What a finished command printed and returned.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public var output: String { self.stdout + self.stderr }
}

extension ForeignProcess {
    /// Runs a command to completion (bounded) and returns its status and output.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: TemporaryDirectory,
        input: String? = nil,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        let name = "\((executable as NSString).lastPathComponent)-\(UUID().uuidString.prefix(8))"
        let process = try ForeignProcess(
            executable,
            arguments,
            in: directory,
            name: name,
            input: input,
            environment: environment
        )
        let status = try await process.waitForExit(timeout: timeout)
        return CommandResult(status: status, stdout: process.stdout, stderr: process.stderr)
    }
}

/// The `fleetsim` executable built next to the test bundle (`swift build` / `swift test` build both).
public enum FleetsimBinary {
    public static var path: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var directory = bundle.deletingLastPathComponent()
        // XCTest runs `<build>/fleetsimPackageTests.xctest`; the binary sits in `<build>`.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
        let candidate = directory.appendingPathComponent("fleetsim").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(
            ".build/debug/fleetsim"
        ).path
    }

    /// Runs `fleetsim` with `arguments` (and `environment` added to the test's) and returns what it did.
    public static func run(
        _ arguments: [String],
        in directory: TemporaryDirectory,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(120)
    ) async throws -> CommandResult {
        try await ForeignProcess.run(Self.path, arguments, in: directory, environment: environment, timeout: timeout)
    }
}

extension ForeignProcess {
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does
    /// not export: looked up at run time, skipped where the C library lacks it.
    static func closeFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")  // nil = RTLD_DEFAULT
        else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
    }
}
