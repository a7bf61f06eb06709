// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "TLSInterop",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tls-interop", targets: ["tls-interop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CGnuTLS",
            pkgConfig: "gnutls",
            providers: [.apt(["libgnutls28-dev"])]
        ),
        // ngtcp2 with its GnuTLS crypto helper, the QUIC stack GnuTLS lends its TLS to: present only in the QUIC track's
        // build (make quic), which puts its headers on the include path and links it; elsewhere the module is empty.
        .systemLibrary(name: "CNGTCP2"),
        // The core hashes payloads with libcrypto's SHA-256 (through the OpenSSL bridge), nothing else of OpenSSL.
        .target(name: "InteropCore", dependencies: ["COpenSSL"]),
        // Starting a child that dies with the runner (PR_SET_PDEATHSIG between fork and exec): not expressible in Swift.
        .target(name: "CProcessLaunch"),
        .target(name: "OpenSSLBackend", dependencies: ["InteropCore", "COpenSSL"]),
        .target(name: "GnuTLSBackend", dependencies: ["InteropCore", "CGnuTLS", "CNGTCP2"]),
        // The composition root's list of libraries: the only module that names both backends.
        .target(name: "LibraryPlugins", dependencies: ["InteropCore", "OpenSSLBackend", "GnuTLSBackend"]),
        .target(
            name: "InteropRunner",
            dependencies: [
                "InteropCore", "CProcessLaunch",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "tls-interop",
            dependencies: [
                "InteropRunner", "LibraryPlugins",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "tls-interop-bench",
            dependencies: ["InteropRunner", "InteropCore", "LibraryPlugins", "OpenSSLBackend", "GnuTLSBackend", "COpenSSL", "CGnuTLS"]
        ),
        .testTarget(name: "InteropCoreTests", dependencies: ["InteropCore"]),
        .testTarget(name: "BackendTests", dependencies: ["InteropCore", "OpenSSLBackend", "GnuTLSBackend"]),
        // The libraries called directly, with no harness code: their own answers, against which the traces are checked.
        .testTarget(name: "LibraryChecks", dependencies: ["COpenSSL", "CGnuTLS"]),
        .testTarget(
            name: "InteropRunnerTests",
            dependencies: ["InteropRunner", "tls-interop", "LibraryPlugins", "OpenSSLBackend", "GnuTLSBackend"],
            // Read by the tests from the source tree: a JUnit schema and a second JUnit consumer.
            exclude: ["Schemas"]
        ),
    ]
)
