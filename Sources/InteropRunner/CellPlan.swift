import InteropCore

/// Everything needed to run either endpoint of a cell, derived from the scenario, the cell and the seed: the same
/// plan drives the in-process loop and each peer process, so both modes run exactly the same endpoints.
public struct CellPlan: Sendable {
    public let cell: Cell
    public let seed: UInt64
    public let serverSettings: EndpointSettings
    public let clientSettings: EndpointSettings
    public let serverSteps: [EndpointAction]
    public let clientSteps: [EndpointAction]
    public let serverPayload: [UInt8]

    public init(cell: Cell, seed: UInt64, credentials: Credentials) {
        let scenario = cell.scenario
        self.cell = cell
        self.seed = seed
        func settings(_ role: EndpointRole, _ spec: EndpointSpec) -> EndpointSettings {
            var settings = EndpointSettings(
                role: role, protocolVersion: cell.protocolVersion, credentials: credentials, alpn: spec.alpn,
                alpnRejection: spec.alpnRejection, alpnServerPrecedence: spec.alpnServerPrecedence,
                ignoreUnexpectedEOF: spec.ignoreUnexpectedEOF, interposedStyle: spec.interposedStyle,
                partialWrite: spec.partialWrite, acceptMovingWriteBuffer: spec.acceptMovingWriteBuffer,
                dtlsInitialTimeout: cell.protocolVersion.isDatagram ? scenario.dtlsInitialTimeout(spec) : nil,
                cookieExchange: spec.cookieExchange)
            settings.requiresHandleEvents = spec.requiresHandleEvents
            return settings
        }
        serverSettings = settings(.server, scenario.server)
        clientSettings = settings(.client, scenario.client)
        var steps = scenario.server.steps
        if cell.protocolVersion.isDatagram && scenario.server.cookieExchange && !steps.contains(.listen) {
            steps.insert(.listen, at: 0)
        }
        serverSteps = steps
        clientSteps = scenario.client.steps
        serverPayload = SeededGenerator.payload(count: scenario.serverPayloadSize, seed: seed ^ 0x5E57_E700)
    }

    public func clientPayload(ordinal: Int) -> [UInt8] {
        SeededGenerator.payload(count: cell.scenario.payloadSize, seed: seed &+ UInt64(ordinal))
    }

    /// Why the cell cannot run in its mode with these libraries, or nil.
    public var notApplicableReason: String? {
        let scenario = cell.scenario
        if !scenario.serverLibraries.contains(cell.server) || !scenario.clientLibraries.contains(cell.client) {
            return scenario.notApplicableReason ?? "library not covered"
        }
        if cell.mode != .inProcess, let reason = scenario.inProcessOnlyReason {
            return reason
        }
        if cell.mode != .inProcess && scenario.memoryLinkCapacity != nil {
            return "its faults are injected by the in-process link, which does not cross a process boundary"
        }
        return Backends.backend(for: cell.server).unsupportedReason(serverSettings)
            ?? Backends.backend(for: cell.client).unsupportedReason(clientSettings)
    }

    public func makeServer(listener: any ConnectionListener) -> EchoServer {
        EchoServer(
            backend: Backends.backend(for: cell.server), settings: serverSettings, actions: serverSteps, listener: listener,
            payload: serverPayload, expectedInbound: cell.scenario.payloadSize)
    }

    public func makeClient(ordinal: Int, dialer: any ConnectionDialer) -> EchoClient {
        EchoClient(
            backend: Backends.backend(for: cell.client), settings: clientSettings, actions: clientSteps,
            payload: clientPayload(ordinal: ordinal), dialer: dialer, ordinal: ordinal,
            expectedInbound: cell.scenario.clientExpectedInbound)
    }

    /// The listener and dialer the cell's protocol and link call for, in this process.
    public func makeLink() throws(SocketError) -> (any ConnectionListener, any ConnectionDialer) {
        let scenario = cell.scenario
        switch (cell.protocolVersion.isDatagram, scenario.memoryLinkCapacity) {
        case (true, .some):
            let memory = InMemoryListener()
            return (memory, MemoryDatagramConnection.dialer(
                to: memory, clientFaults: scenario.client.datagramFaults, serverFaults: scenario.server.datagramFaults,
                seed: seed))
        case (true, nil):
            let udp = try UDPListener()
            return (udp, UDPDialer(address: udp.address))
        case (false, .some(let capacity)):
            let memory = InMemoryListener()
            return (memory, MemoryConnection.dialer(
                to: memory, capacity: capacity, clientPlan: scenario.client.faults, serverPlan: scenario.server.faults,
                seed: seed))
        case (false, nil):
            let tcp = try TCPListener()
            return (tcp, TCPDialer(address: tcp.address))
        }
    }
}
