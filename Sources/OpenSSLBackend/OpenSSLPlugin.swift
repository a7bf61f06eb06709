import InteropCore

extension TLSLibrary {
    public static let openssl = TLSLibrary("openssl")
}

extension OpenSSLBackend {
    /// OpenSSL as the harness knows it: its names, its backend, the settings only it has and its `openssl` tool.
    public static let plugin = LibraryPlugin(
        library: .openssl, displayName: "OpenSSL", matrixMark: "o", backend: OpenSSLBackend(), optionsKey: optionsKey,
        options: [
            OpenSSLOption.ignoreUnexpectedEOF, OpenSSLOption.requiresHandleEvents, OpenSSLOption.partialWrite,
            OpenSSLOption.acceptMovingWriteBuffer,
        ],
        commandLineTools: ["openssl": OpenSSLCapabilities.commandLineTool], sharedObjects: sharedObjects,
        debianPackages: ["libssl3", "libssl3t64"], configurationVariable: "OPENSSL_CONF")

    /// libssl and the libcrypto it needs: a build provides both (libssl 3.5 over libcrypto 3.0 would not load).
    public static let sharedObjects = [SharedObject("libssl.so.3", symbol: "SSL_new"), SharedObject("libcrypto.so.3", symbol: "OpenSSL_version")]

    /// Where fixtures put OpenSSL's own settings, for every build of it.
    public static let optionsKey = "openssl"
}

/// The settings fixtures give OpenSSL endpoints under `openssl:`.
enum OpenSSLOption {
    static let modes =
        "SSL_MODE_ENABLE_PARTIAL_WRITE and SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER are OpenSSL modes; {library} has no equivalent setting"

    /// `SSL_OP_IGNORE_UNEXPECTED_EOF`: EOF without close_notify reads as a clean EOF.
    static let ignoreUnexpectedEOF = LibraryOption(
        "ignoreUnexpectedEOF", .flag,
        elsewhere: .notApplicable("SSL_OP_IGNORE_UNEXPECTED_EOF is an OpenSSL reader option; {library} has no equivalent setting"))
    /// The endpoint drives DTLS timers with `SSL_handle_events` (3.2+).
    static let requiresHandleEvents = LibraryOption(
        "requiresHandleEvents", .flag, elsewhere: .notApplicable("SSL_handle_events is an OpenSSL call"))
    /// `SSL_MODE_ENABLE_PARTIAL_WRITE`: a write may report progress record by record.
    static let partialWrite = LibraryOption("partialWrite", .flag, elsewhere: .notApplicable(modes))
    /// `SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`: a retried write may pass the same bytes from elsewhere.
    static let acceptMovingWriteBuffer = LibraryOption("acceptMovingWriteBuffer", .flag, elsewhere: .notApplicable(modes))
}

extension EndpointSettings {
    /// What fixtures asked of this endpoint's OpenSSL.
    var openSSLOptions: LibraryOptionValues { options(for: OpenSSLBackend.optionsKey) }
}
