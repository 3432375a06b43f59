import ArgumentParser
import Fleet
import FleetTLS
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The `fleetsim` command: a fleet of simulated IoT devices, each with its own identity, over
/// mutual TLS (wolfSSL). Thin by design: it parses, builds configuration and calls the layers.
@main
struct Fleetsim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetsim",
        abstract: "Simulate a fleet of IoT devices, each with its own certificate, over mutual TLS (wolfSSL).",
        discussion: """
            Every simulated device loads its own private key and X.509 client certificate, connects to a \
            backend over mutual TLS, and every failure is classified and explained.

            Exit codes: 0 all checks met; 1 a check, threshold or expectation failed; 2 usage or input \
            error (nothing run; an input error is one line 'fleetsim: error[CODE]: MESSAGE'); 130 interrupted.
            """,
        version: BuildInfo.versionLine,
        subcommands: [
            PKICommand.self, InspectCommand.self, RunCommand.self, ReproCommand.self, ServeCommand.self,
            ReportCommand.self,
        ]
    )

    /// Runs the command with DESIGN.md §4's exit codes: usage errors exit 2 (ArgumentParser's own
    /// default is 64), input errors print one line `fleetsim: error[CODE]: MESSAGE` and exit 2.
    static func main() async {
        do {
            var command = try Self.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as InputError {
            Self.printError(error.line)
            Glibc.exit(ExitStatus.usage)
        } catch {
            let code = Self.exitCode(for: error)
            if code == .validationFailure {
                Self.printError(Self.fullMessage(for: error))
                Glibc.exit(ExitStatus.usage)
            }
            Self.exit(withError: error)
        }
    }

    static func printError(_ message: String) {
        var stderr = StandardError()
        print("fleetsim: \(message)", to: &stderr)
    }
}

/// What `--version` prints: our version and the wolfSSL library actually loaded at run time.
enum BuildInfo {
    static let version = "0.1.0"
    static var versionLine: String {
        "fleetsim \(Self.version) (wolfSSL \(WolfSSLBuild.summary))"
    }
}

/// DESIGN.md §4 exit codes (a run's come from ``RunVerdict``, which every command shares).
enum ExitStatus {
    static let ok = RunVerdict.passed.exitStatus
    static let checkFailed = RunVerdict.checkFailed.exitStatus
    static let usage: Int32 = 2
    static let interrupted = RunVerdict.interrupted.exitStatus
}

/// `print(…, to: &stderr)`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
