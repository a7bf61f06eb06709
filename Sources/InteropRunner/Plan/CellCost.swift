import InteropCore

/// A static guess at what a cell costs, so long cells start first when cells run in parallel.
enum CellCost {
    static func estimate(_ cell: Cell, libraries: LibraryRegistry) -> Double {
        // A cell the linked libraries cannot run is skipped at once (on OpenSSL 3.0, every QUIC cell).
        if CellPlan(cell: cell, seed: 1, credentials: .standard(in: "."), libraries: libraries).notApplicableReason != nil {
            return 0.1
        }
        var cost = 1.0
        switch cell.mode {
        case .inProcess, .targetServer: break
        case .targetClient: cost += 4
        case .outOfProcess: cost += 6
        case .externalServer, .externalClient: cost += 10
        }
        // A real program (an HTTP client waiting for an answer the echo server never gives, a server starting
        // up) takes most of a second, mostly waiting: started first, it overlaps with the rest.
        if cell.endpoint != nil { cost += 100 }
        let scenario = cell.scenario
        cost += Double(scenario.payloadSize + scenario.serverPayloadSize) / 20_000
        if cell.protocolVersion.isDatagram && scenario.dtlsInitialTimeout(scenario.client) == nil { cost += 5 }
        // Cost units are about 5 ms of in-process work.
        cost += (scenario.typicalSeconds[cell.protocolVersion] ?? 0) * 200
        // QUIC: 0.1–0.3 s per cell on loopback; a lost flight costs a probe timeout of about 1 s.
        if cell.protocolVersion.isQUIC { cost += scenario.hasDatagramFaults ? 200 : 30 }
        return cost
    }
}
