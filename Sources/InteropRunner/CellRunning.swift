/// Something that runs one cell and judges it; one per execution mode.
public protocol CellRunning: Sendable {
    func run(_ cell: Cell, seed: UInt64) -> CellResult
}

extension InProcessCellRunner: CellRunning {}

/// Sends each cell to the runner of its mode.
public struct ModeDispatcher: CellRunning {
    public var inProcess: InProcessCellRunner
    public var outOfProcess: OutOfProcessCellRunner?
    public var external: ExternalPeerCellRunner?

    public init(inProcess: InProcessCellRunner, outOfProcess: OutOfProcessCellRunner?, external: ExternalPeerCellRunner?) {
        self.inProcess = inProcess
        self.outOfProcess = outOfProcess
        self.external = external
    }

    public func run(_ cell: Cell, seed: UInt64) -> CellResult {
        switch cell.mode {
        case .inProcess: return inProcess.run(cell, seed: seed)
        case .outOfProcess:
            if let outOfProcess { return outOfProcess.run(cell, seed: seed) }
        case .externalServer, .externalClient:
            if let external { return external.run(cell, seed: seed) }
        }
        var result = CellResult.notRun(cell, seed: seed)
        result.status = .error
        result.message = "harness error: no runner configured for mode \(cell.mode.rawValue)"
        return result
    }
}
