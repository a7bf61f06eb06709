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
    public let libraries: LibraryRegistry

    public init(cell: Cell, seed: UInt64, credentials: Credentials, libraries: LibraryRegistry) {
        let scenario = cell.scenario
        self.cell = cell
        self.seed = seed
        self.libraries = libraries
        func settings(_ role: EndpointRole, _ spec: EndpointSpec) -> EndpointSettings {
            var settings = EndpointSettings(
                role: role, protocolVersion: cell.protocolVersion, credentials: credentials, alpn: spec.alpn,
                interposedStyle: spec.interposedStyle,
                dtlsInitialTimeout: cell.protocolVersion.isDatagram ? scenario.dtlsInitialTimeout(spec) : nil,
                cookieExchange: spec.cookieExchange, libraryOptions: spec.libraryOptions)
            settings.transportFaults = spec.faults
            settings.faultSeed = seed
            settings.socketBufferLimit = scenario.socketBufferLimit
            settings.renegotiation = spec.renegotiation
            settings.dtlsMTU = spec.dtlsMTU
            settings.resume = spec.resume
            settings.sessionTickets = spec.sessionTickets
            settings.clientCertificateOffer = role == .client ? spec.clientCertificateOffer : .none
            settings.requestsClientCertificate = role == .server && spec.steps.contains(.requestCertificate)
            settings.earlyData = spec.earlyData
            settings.maxEarlyData = spec.maxEarlyData
            settings.quicIdleTimeout = spec.quicIdleTimeoutMilliseconds.map { .milliseconds($0) }
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
        serverPayload = PayloadCache.payload(count: scenario.serverPayloadSize, seed: seed ^ 0x5E57_E700)
    }

    public func clientPayload(ordinal: Int) -> [UInt8] {
        PayloadCache.payload(count: cell.scenario.payloadSize, seed: seed &+ UInt64(ordinal))
    }

    /// Why the cell cannot run in its mode with these libraries, or nil.
    public var notApplicableReason: String? {
        let scenario = cell.scenario
        // A target server is built on whatever its author chose: a scenario about one library's server is not its.
        let serverCovered = cell.mode == .targetServer
            ? libraries.libraries.allSatisfy { covers(scenario.serverLibraries, $0) }
            : covers(scenario.serverLibraries, cell.server)
        let clientCovered = cell.mode == .targetClient
            ? libraries.libraries.allSatisfy { covers(scenario.clientLibraries, $0) }
            : covers(scenario.clientLibraries, cell.client)
        if !serverCovered || !clientCovered {
            return scenario.notApplicableReason ?? "library not covered"
        }
        if cell.mode != .inProcess, let reason = scenario.inProcessOnlyReason {
            return reason
        }
        if (cell.mode.isExternal || cell.mode.hasTarget) && scenario.hasDatagramFaults {
            return "its datagram faults are applied by a relay between two Swift endpoints"
        }
        if cell.mode.isExternal && scenario.memoryLinkCapacity != nil {
            return "its faults are injected by the Swift endpoints' transports, which a library's command-line tool does not use"
        }
        if cell.mode == .targetServer {
            return scenario.targetReason ?? targetSettingsReason(serverSettings) ?? endpointReason(cell.client, clientSettings)
        }
        if cell.mode == .targetClient {
            return scenario.targetClientReason ?? targetSettingsReason(clientSettings) ?? endpointReason(cell.server, serverSettings)
        }
        return endpointReason(cell.server, serverSettings) ?? endpointReason(cell.client, clientSettings)
    }

    /// A library setting the scenario gives the target's side other than that library's default: a target cannot be
    /// told.
    private func targetSettingsReason(_ settings: EndpointSettings) -> String? {
        for plugin in libraries.optionOwners {
            guard let given = settings.libraryOptions[plugin.optionsKey] else { continue }
            for option in plugin.options {
                if let value = given[option.name], value != option.defaultValue {
                    return "its \(settings.role.rawValue) is configured with \(plugin.displayName)'s \(option.name) \(value), which a target cannot be told"
                }
            }
        }
        return nil
    }

    /// Whether a scenario's library list names `library` itself or its library family (its options key).
    private func covers(_ list: [TLSLibrary], _ library: TLSLibrary) -> Bool {
        list.contains(library) || libraries.plugin(for: library).map { list.contains(TLSLibrary($0.optionsKey)) } == true
    }

    /// Why one endpoint cannot run: its library is not linked, cannot express the settings, or was given another
    /// library's option whose rule makes the cell not applicable.
    private func endpointReason(_ library: TLSLibrary, _ settings: EndpointSettings) -> String? {
        guard let backend = libraries.backend(for: library) else { return "\(library) is not a library this build links" }
        return backend.unsupportedReason(settings) ?? libraries.foreignOptionReason(settings, on: library)
    }

    private func backend(_ library: TLSLibrary) -> any TLSBackend {
        // Cells reach this only when notApplicableReason found the library linked.
        libraries.backend(for: library)!
    }

    public func makeServer(listener: any ConnectionListener) -> EchoServer {
        EchoServer(
            backend: backend(cell.server), settings: serverSettings, actions: serverSteps, listener: listener,
            payload: serverPayload, expectedInbound: cell.scenario.payloadSize)
    }

    public func makeClient(ordinal: Int, dialer: any ConnectionDialer) -> EchoClient {
        EchoClient(
            backend: backend(cell.client), settings: clientSettings, actions: clientSteps,
            payload: clientPayload(ordinal: ordinal), dialer: dialer, ordinal: ordinal,
            expectedInbound: cell.scenario.clientExpectedInbound)
    }

    /// The listener and dialer the cell's protocol and link call for, in this process, and the relay that injects a
    /// QUIC cell's datagram faults (the library does its own socket I/O, so faults happen on the path).
    /// With `capture`, an in-memory link records every byte or datagram it carries.
    public func makeLink(capture: WireCapture? = nil) throws -> CellLink {
        let scenario = cell.scenario
        switch (cell.protocolVersion.isDatagram, scenario.memoryLinkCapacity) {
        case (true, .some):
            let memory = InMemoryListener()
            return CellLink(listener: memory, dialer: MemoryDatagramConnection.dialer(
                to: memory, clientFaults: scenario.client.datagramFaults, serverFaults: scenario.server.datagramFaults,
                seed: seed, capture: capture))
        case (false, .some(let capacity)):
            let memory = InMemoryListener()
            return CellLink(listener: memory, dialer: MemoryConnection.dialer(
                to: memory, capacity: capacity, clientPlan: scenario.client.faults, serverPlan: scenario.server.faults,
                seed: seed, capture: capture))
        case (_, nil):
            let listener = try makeSocketListener()
            guard let relay = try makeRelay(toServer: listener.address) else {
                return CellLink(listener: listener, dialer: makeDialer(to: listener.address))
            }
            return CellLink(listener: listener, dialer: makeDialer(to: relay.address), relay: relay)
        }
    }

    /// The server's listener on a real loopback socket: TCP, UDP, or the server library's QUIC listener.
    public func makeSocketListener() throws -> any BoundListener {
        switch cell.protocolVersion.transport {
        case .stream: try TCPListener()
        case .datagram: try UDPListener()
        case .quic: try makeQUICListener()
        }
    }

    /// A client's way to the server's loopback address, for the cell's protocol.
    public func makeDialer(to address: LoopbackAddress) -> any ConnectionDialer {
        switch cell.protocolVersion.transport {
        case .stream: TCPDialer(address: address)
        case .datagram: UDPDialer(address: address)
        case .quic: QUICDialer(address: address)
        }
    }

    /// Datagram cells with datagram faults over sockets (QUIC always, DTLS out of process): the relay the client must
    /// be pointed at instead of the server.
    public func makeRelay(toServer server: LoopbackAddress) throws -> UDPRelay? {
        let scenario = cell.scenario
        guard cell.protocolVersion.transport != .stream && scenario.hasDatagramFaults else { return nil }
        return try UDPRelay(
            server: server, clientFaults: scenario.client.datagramFaults, serverFaults: scenario.server.datagramFaults,
            seed: seed, dtls: cell.protocolVersion.isDatagram)
    }

    private func makeQUICListener() throws -> any BoundListener {
        try backend(cell.server).makeQUICListener(serverSettings)
    }
}

/// Where a cell's endpoints meet in this process.
public struct CellLink {
    public var listener: any ConnectionListener
    public var dialer: any ConnectionDialer
    /// QUIC cells with datagram faults: the hop that applies them.
    public var relay: UDPRelay?

    public init(listener: any ConnectionListener, dialer: any ConnectionDialer, relay: UDPRelay? = nil) {
        self.listener = listener
        self.dialer = dialer
        self.relay = relay
    }

    public func attachRelayLogs(clients: inout [ConnectionRecord], server: inout [ConnectionRecord]) {
        relay?.attachLogs(clients: &clients, server: &server)
    }
}

extension UDPRelay {
    /// The relay's log of each endpoint's datagrams goes into that endpoint's record, where DTLS cells keep theirs.
    func attachLogs(clients: inout [ConnectionRecord], server: inout [ConnectionRecord]) {
        guard !clients.isEmpty else { return }
        clients[0].datagramLog = clientLog
        clients[0].unfiredDatagramFaults = unfiredClientFaults
        let clientMessages = unfiredClientMessages.map(\.rawValue)
        let serverMessages = unfiredServerMessages.map(\.rawValue)
        clients[0].unfiredMessageFaults = clientMessages.isEmpty ? nil : clientMessages
        if server.isEmpty {
            // No connection came out of the listener: the server's faults are reported with the client.
            clients[0].unfiredDatagramFaults += unfiredServerFaults
            if !serverMessages.isEmpty { clients[0].unfiredMessageFaults = clientMessages + serverMessages }
        } else {
            server[0].datagramLog = serverLog
            server[0].unfiredDatagramFaults = unfiredServerFaults
            server[0].unfiredMessageFaults = serverMessages.isEmpty ? nil : serverMessages
        }
    }
}
