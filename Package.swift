// swift-tools-version: 6.0
// fleetsim: a fleet of simulated IoT devices, each with its own identity, over mutual TLS (wolfSSL).
import PackageDescription

let package = Package(
    name: "fleetsim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fleetsim", targets: ["fleetsim"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // The only place C is visible: Debian's libwolfssl-dev through pkg-config.
        .systemLibrary(
            name: "CWolfSSL",
            pkgConfig: "wolfssl",
            providers: [.apt(["libwolfssl-dev"])]
        ),
        // Vocabulary shared by every layer: outcomes, alerts, durations.
        .target(name: "FleetCore"),
        // The one Swift target that imports CWolfSSL: contexts, identities, the NIO handler.
        .target(
            name: "FleetTLS",
            dependencies: [
                "CWolfSSL",
                "FleetCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // Private CA, server and device certificates (swift-certificates, swift-crypto).
        .target(
            name: "FleetPKI",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // MQTT 3.1.1 codec shared by the device side and the test backend.
        .target(
            name: "FleetMQTT",
            dependencies: ["FleetCore", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // Connecting devices: TCP + TLS pipelines, timings, outcomes.
        .target(
            name: "Fleet",
            dependencies: [
                "FleetCore",
                "FleetTLS",
                "FleetMQTT",
                "FleetPKI",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // `fleetsim serve`: the mutual-TLS test backend with a policy, MQTT acceptance and an audit log.
        .target(
            name: "Backend",
            dependencies: [
                "FleetCore", "FleetTLS", "FleetMQTT", "FleetPKI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // The HTTP/1 plumbing the small servers share (`--metrics`, `pki ocsp`).
        .target(
            name: "FleetHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Live Prometheus metrics (`--metrics`) for `run` and `serve`, served over HTTP by SwiftNIO.
        .target(
            name: "FleetMetrics",
            dependencies: [
                "Fleet", "FleetCore", "Backend", "FleetHTTP",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // `pki ocsp`: an RFC 6960 OCSP responder for a PKI's issuing CA, over SwiftNIO HTTP/1.
        .target(
            name: "FleetOCSP",
            dependencies: [
                "FleetPKI", "FleetHTTP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "fleetsim",
            dependencies: [
                "FleetMetrics",
                "FleetOCSP",
                "FleetCore",
                "FleetTLS",
                "FleetPKI",
                "Fleet",
                "Backend",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // Benchmarks (bench/): figures for the README, never timed tests.
        .executableTarget(
            name: "fleetsim-handshake-bench",
            dependencies: [
                "Fleet", "FleetCore", "FleetPKI", "FleetTLS", "FleetTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "bench/HandshakeBench"
        ),
        // Fuzz targets (make fuzz: libFuzzer with -sanitize=fuzzer; a normal build replays a corpus).
        .target(name: "FleetFuzzSupport", path: "Fuzz/Support"),
        .executableTarget(
            name: "fleetsim-fuzz-mqtt",
            dependencies: [
                "FleetFuzzSupport", "FleetCore", "FleetMQTT", .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Fuzz/MQTTFuzz"
        ),
        .executableTarget(
            name: "fleetsim-fuzz-identity",
            dependencies: [
                "FleetFuzzSupport", "Fleet", "FleetPKI", "FleetTLS",
                .product(name: "X509", package: "swift-certificates"),
            ],
            path: "Fuzz/IdentityFuzz"
        ),
        // Helpers for tests: PKI fixtures, foreign peers (openssl, mosquitto) started and stopped by pid.
        .target(
            name: "FleetTestSupport",
            dependencies: ["FleetPKI", "FleetCore"],
            path: "Tests/FleetTestSupport"
        ),
        .testTarget(
            name: "FleetPKITests",
            dependencies: [
                "FleetPKI", "FleetTestSupport",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // Runs the built `fleetsim` binary: exit codes, output, files.
        .testTarget(
            name: "FleetsimCLITests",
            dependencies: [
                "fleetsim", "FleetPKI", "FleetCore", "FleetTLS", "FleetMQTT", "FleetTestSupport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FleetMQTTTests",
            dependencies: ["FleetMQTT", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "FleetTests",
            dependencies: [
                "Fleet", "FleetCore", "FleetPKI", "FleetTLS", "FleetTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FleetCoreTests",
            dependencies: ["FleetCore", "FleetTestSupport"]
        ),
        // The backend's session on EmbeddedChannel: TLS events fired by hand, time advanced by hand.
        .testTarget(
            name: "BackendTests",
            dependencies: [
                "Backend", "FleetCore", "FleetMQTT", "FleetTLS", "FleetPKI", "FleetTestSupport",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "FleetTLSTests",
            dependencies: [
                "FleetTLS", "FleetCore", "FleetPKI", "FleetTestSupport",
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
    ]
)
