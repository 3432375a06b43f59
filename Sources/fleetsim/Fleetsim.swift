import ArgumentParser
import FleetTLS

/// The `fleetsim` command: a fleet of simulated IoT devices, each with its own identity, over
/// mutual TLS (wolfSSL). Thin by design: it parses, builds configuration and calls the layers.
@main
struct Fleetsim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetsim",
        abstract: "Simulate a fleet of IoT devices, each with its own certificate, over mutual TLS (wolfSSL).",
        discussion: """
            Every simulated device loads its own private key and X.509 client certificate, connects to a \
            backend over mutual TLS, and every failure is classified (DESIGN.md §5) and explained.
            """,
        version: BuildInfo.versionLine
    )
}

/// What `--version` prints: our version and the wolfSSL library actually loaded at run time.
enum BuildInfo {
    static let version = "0.1.0"
    static var versionLine: String {
        "fleetsim \(Self.version) (wolfSSL \(WolfSSLLibrary.version))"
    }
}
