import GnuTLSBackend
import InteropCore
import OpenSSLBackend

/// Runs a cell with both endpoints on one event loop in this process, over loopback sockets.
public struct InProcessCellRunner: Sendable {
    public var credentials: Credentials
    public var deadline: Duration
    public var divergences: DivergenceCatalog

    public init(credentials: Credentials, deadline: Duration, divergences: DivergenceCatalog) {
        self.credentials = credentials
        self.deadline = deadline
        self.divergences = divergences
    }

    public func run(_ cell: Cell, seed: UInt64) -> CellResult {
        let clock = ContinuousClock()
        let started = clock.now
        var result = CellResult(
            cell: cell, status: .skipped, message: "", checks: [], divergence: nil, serverConnections: [], clients: [],
            observation: nil, seed: seed, duration: .zero, deadlineExpired: false)
        let scenario = cell.scenario
        let serverBackend = Backends.backend(for: cell.server)
        let clientBackend = Backends.backend(for: cell.client)
        let serverSettings = settings(.server, scenario.server, cell)
        let clientSettings = settings(.client, scenario.client, cell)
        if !scenario.serverLibraries.contains(cell.server) || !scenario.clientLibraries.contains(cell.client) {
            result.message = "not applicable: \(scenario.notApplicableReason ?? "library not covered")"
            return result
        }
        if let reason = serverBackend.unsupportedReason(serverSettings) ?? clientBackend.unsupportedReason(clientSettings) {
            result.message = "not applicable: \(reason)"
            return result
        }
        let listener: any ConnectionListener
        let dialer: any ConnectionDialer
        if cell.protocolVersion.isDatagram && scenario.memoryLinkCapacity != nil {
            let memory = InMemoryListener()
            listener = memory
            dialer = MemoryDatagramConnection.dialer(
                to: memory, clientFaults: scenario.client.datagramFaults, serverFaults: scenario.server.datagramFaults,
                seed: seed)
        } else if cell.protocolVersion.isDatagram {
            do {
                let udp = try UDPListener()
                listener = udp
                dialer = UDPDialer(address: udp.address)
            } catch {
                result.status = .error
                result.message = "harness error: cannot bind UDP on loopback: \(error)"
                return result
            }
        } else if let capacity = scenario.memoryLinkCapacity {
            let memory = InMemoryListener()
            listener = memory
            dialer = MemoryConnection.dialer(
                to: memory, capacity: capacity, clientPlan: scenario.client.faults, serverPlan: scenario.server.faults,
                seed: seed)
        } else {
            do {
                let tcp = try TCPListener()
                listener = tcp
                dialer = TCPDialer(address: tcp.address)
            } catch {
                result.status = .error
                result.message = "harness error: cannot listen on loopback: \(error)"
                return result
            }
        }
        var serverSteps = scenario.server.steps
        if cell.protocolVersion.isDatagram && scenario.server.cookieExchange && !serverSteps.contains(.listen) {
            serverSteps.insert(.listen, at: 0)
        }
        let server = EchoServer(
            backend: serverBackend, settings: serverSettings, actions: serverSteps, listener: listener,
            payload: SeededGenerator.payload(count: scenario.serverPayloadSize, seed: seed ^ 0x5E57_E700),
            expectedInbound: scenario.payloadSize)
        let clients = (1...scenario.clientCount).map { ordinal in
            EchoClient(
                backend: clientBackend, settings: clientSettings, actions: scenario.client.steps,
                payload: SeededGenerator.payload(count: scenario.payloadSize, seed: seed &+ UInt64(ordinal)),
                dialer: dialer, ordinal: ordinal, expectedInbound: scenario.clientExpectedInbound)
        }
        let ending = InProcessLoop(deadline: deadline).run([server] + clients)
        result.serverConnections = server.connections
        result.clients = clients.map(\.record)
        result.deadlineExpired = ending != .completed
        result.ending = switch ending {
        case .completed: "completed"
        case .deadlineExpired: "timeout"
        case .stalled: "stalled"
        }
        let observation = CellObservation(
            serverConnections: result.serverConnections, clients: result.clients, payloadSize: scenario.payloadSize,
            serverPayloadSize: scenario.serverPayloadSize, loopEnding: result.ending)
        result.observation = observation
        let divergence = divergences.divergence(for: cell)
        let verdict = Judge.judge(
            cell: cell, observation: observation, deadlineExpired: result.deadlineExpired, divergence: divergence,
            ending: result.ending)
        result.status = verdict.status
        result.message = verdict.message
        result.checks = verdict.checks
        result.divergence = divergence
        if let failure = server.listenerFailure {
            result.status = .error
            result.message = "harness error: \(failure)"
        }
        result.duration = started.duration(to: clock.now)
        return result
    }

    private func settings(_ role: EndpointRole, _ spec: EndpointSpec, _ cell: Cell) -> EndpointSettings {
        EndpointSettings(
            role: role, protocolVersion: cell.protocolVersion, credentials: credentials, alpn: spec.alpn,
            alpnRejection: spec.alpnRejection, alpnServerPrecedence: spec.alpnServerPrecedence,
            ignoreUnexpectedEOF: spec.ignoreUnexpectedEOF, interposedStyle: spec.interposedStyle,
            partialWrite: spec.partialWrite, acceptMovingWriteBuffer: spec.acceptMovingWriteBuffer,
            dtlsInitialTimeout: cell.protocolVersion.isDatagram ? cell.scenario.dtlsInitialTimeout(spec) : nil,
            cookieExchange: spec.cookieExchange)
    }
}

/// The library → backend table, the only place the runner names concrete backends.
public enum Backends {
    public static func backend(for library: TLSLibrary) -> any TLSBackend {
        switch library {
        case .openssl: OpenSSLBackend()
        case .gnutls: GnuTLSBackend()
        }
    }

    /// `library: version` for every backend, read from the libraries at run time.
    public static var runtimeVersions: [TLSLibrary: String] {
        Dictionary(uniqueKeysWithValues: TLSLibrary.allCases.map { ($0, backend(for: $0).runtimeVersion) })
    }
}
