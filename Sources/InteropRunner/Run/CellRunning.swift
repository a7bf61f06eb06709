import InteropCore

/// Something that runs one cell and reports what happened, unjudged; one per execution mode. `run` adds the one
/// judging step (`CellVerdict`).
public protocol CellRunning: Sendable {
    func execute(_ cell: Cell, seed: UInt64) -> CellRun
    /// What the judging step excuses.
    var divergences: DivergenceCatalog { get }
}

extension CellRunning {
    /// Runs the cell and judges it.
    public func run(_ cell: Cell, seed: UInt64) -> CellResult {
        CellVerdict.judge(execute(cell, seed: seed), cell: cell, seed: seed, divergences: divergences)
    }
}

extension InProcessCellRunner: CellRunning {}

/// Sends each cell to the runner of its mode.
public struct ModeDispatcher: CellRunning {
    public var inProcess: InProcessCellRunner
    public var outOfProcess: OutOfProcessCellRunner?
    public var external: ExternalPeerCellRunner?
    public var target: TargetServerCellRunner?
    public var targetClient: TargetClientCellRunner?

    public init(
        inProcess: InProcessCellRunner, outOfProcess: OutOfProcessCellRunner?, external: ExternalPeerCellRunner?,
        target: TargetServerCellRunner? = nil, targetClient: TargetClientCellRunner? = nil
    ) {
        self.inProcess = inProcess
        self.outOfProcess = outOfProcess
        self.external = external
        self.target = target
        self.targetClient = targetClient
    }

    public var divergences: DivergenceCatalog { inProcess.divergences }

    public func execute(_ cell: Cell, seed: UInt64) -> CellRun {
        switch cell.mode {
        case .inProcess: return inProcess.execute(cell, seed: seed)
        case .outOfProcess:
            if let outOfProcess { return outOfProcess.execute(cell, seed: seed) }
        case .externalServer, .externalClient:
            if let external { return external.execute(cell, seed: seed) }
        case .targetServer:
            if let target { return target.execute(cell, seed: seed) }
        case .targetClient:
            if let targetClient { return targetClient.execute(cell, seed: seed) }
        }
        return .harnessError("no runner configured for mode \(cell.mode.rawValue)")
    }
}
