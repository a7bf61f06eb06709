import InteropCore

/// Runs a Swift endpoint against the libraries' own command-line tools. (Filled in below.)
public struct ExternalPeerCellRunner: CellRunning {
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

    public func run(_ cell: Cell, seed: UInt64) -> CellResult {
        var result = CellResult.notRun(cell, seed: seed)
        result.status = .error
        result.message = "harness error: external peers are not wired yet"
        return result
    }
}
