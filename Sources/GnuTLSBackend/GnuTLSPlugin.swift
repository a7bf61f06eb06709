import InteropCore

extension TLSLibrary {
    public static let gnutls = TLSLibrary("gnutls")
}

extension GnuTLSBackend {
    /// GnuTLS as the harness knows it: its names, its backend, the settings only it has and `gnutls-bin`'s tools.
    public static let plugin = LibraryPlugin(
        library: .gnutls, displayName: "GnuTLS", matrixMark: "g", backend: GnuTLSBackend(), optionsKey: optionsKey,
        options: [GnuTLSOption.alpnRejection, GnuTLSOption.alpnServerPrecedence, GnuTLSOption.safeRenegotiation],
        commandLineTools: ["gnutls-serv": "/usr/bin/gnutls-serv", "gnutls-cli": "/usr/bin/gnutls-cli"],
        sharedObjects: [SharedObject("libgnutls.so.30", symbol: "gnutls_global_init")],
        debianPackages: ["libgnutls30", "libgnutls30t64"], configurationVariable: "GNUTLS_SYSTEM_PRIORITY_FILE")

    /// Where fixtures put GnuTLS's own settings, for every build of it.
    public static let optionsKey = "gnutls"
}

/// How a GnuTLS server reacts when the client's ALPN list shares nothing with its own.
enum GnuTLSALPNRejection: String, CaseIterable {
    /// Abort with fatal alert 120 (no_application_protocol), as RFC 7301 requires: `GNUTLS_ALPN_MANDATORY` and, on
    /// failure, `gnutls_alert_send_appropriate`.
    case conforming
    /// `GNUTLS_ALPN_MANDATORY` alone and nothing sent on failure, as servers are often written.
    case naiveMandatory
    /// `gnutls_alpn_set_protocols` without `GNUTLS_ALPN_MANDATORY`: a client that shares none is served with no
    /// protocol.
    case notMandatory
}

/// The settings fixtures give GnuTLS endpoints under `gnutls:`.
enum GnuTLSOption {
    static let alpnRejection = LibraryOption(
        "alpnRejection", .choice(GnuTLSALPNRejection.allCases.map(\.rawValue)), roles: [.server],
        elsewhere: .notApplicable(
            "the {value} ALPN server is a GnuTLS configuration (GNUTLS_ALPN_MANDATORY); {library}'s select callback decides"))
    /// `GNUTLS_ALPN_SERVER_PRECEDENCE`. Elsewhere ignored: OpenSSL's `SSL_select_next_proto`, for one, always prefers
    /// the server's order.
    static let alpnServerPrecedence = LibraryOption("alpnServerPrecedence", .flag, roles: [.server], elsewhere: .ignored)
    /// RFC 5746 secure renegotiation, as GnuTLS's priority keywords set it (`%PARTIAL_RENEGOTIATION` is the default).
    static let safeRenegotiation = LibraryOption(
        "safeRenegotiation", .choice(GnuTLSSafeRenegotiation.allCases.map(\.rawValue)),
        elsewhere: .notApplicable(
            "the {value} secure renegotiation is a GnuTLS priority keyword; {library} always sends renegotiation_info and cannot leave it out"))
}

/// GnuTLS's RFC 5746 modes, each a priority-string keyword.
enum GnuTLSSafeRenegotiation: String, CaseIterable {
    /// `%PARTIAL_RENEGOTIATION`, the default: the extension is sent and expected, initial handshakes with peers
    /// without it are allowed, renegotiations with them are not.
    case partial
    /// `%SAFE_RENEGOTIATION`: peers without the extension are refused.
    case safe
    /// `%UNSAFE_RENEGOTIATION`: renegotiation with peers without the extension is allowed.
    case unsafe
    /// `%DISABLE_SAFE_RENEGOTIATION`: the extension is neither sent nor honoured, a legacy peer.
    case disabled

    var priorityKeyword: String? {
        switch self {
        case .partial: nil
        case .safe: "%SAFE_RENEGOTIATION"
        case .unsafe: "%UNSAFE_RENEGOTIATION"
        case .disabled: "%DISABLE_SAFE_RENEGOTIATION"
        }
    }
}

extension EndpointSettings {
    var gnuTLSALPNRejection: GnuTLSALPNRejection {
        options(for: GnuTLSBackend.optionsKey)[GnuTLSOption.alpnRejection.name].flatMap(GnuTLSALPNRejection.init) ?? .conforming
    }

    var gnuTLSSafeRenegotiation: GnuTLSSafeRenegotiation {
        options(for: GnuTLSBackend.optionsKey)[GnuTLSOption.safeRenegotiation.name].flatMap(GnuTLSSafeRenegotiation.init) ?? .partial
    }

    var gnuTLSALPNServerPrecedence: Bool { options(for: GnuTLSBackend.optionsKey).flag(GnuTLSOption.alpnServerPrecedence.name) }
}
