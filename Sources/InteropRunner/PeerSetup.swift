import InteropCore

/// What every runner that starts `tls-interop peer` processes needs: the executable, where the fixtures and
/// certificates are, the cell deadline, and the divergences to judge with.
public struct PeerSetup: Sendable {
    public var executable: String
    public var fixtures: String
    public var certs: String
    public var deadline: Duration
    public var divergences: DivergenceCatalog

    public init(executable: String, fixtures: String, certs: String, deadline: Duration, divergences: DivergenceCatalog) {
        self.executable = executable
        self.fixtures = fixtures
        self.certs = certs
        self.deadline = deadline
        self.divergences = divergences
    }

    /// The arguments that tell a peer which cell, seed, deadline, fixtures and certificates to use.
    func peerArguments(_ cell: Cell, seed: UInt64) -> [String] {
        let seconds = String(Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18)
        return [
            "--scenario", cell.scenario.id, "--server", cell.server.rawValue, "--client", cell.client.rawValue,
            "--protocol", cell.protocolVersion.rawValue, "--seed", String(seed), "--deadline", seconds,
            "--fixtures", fixtures, "--certs", certs,
        ]
    }
}
