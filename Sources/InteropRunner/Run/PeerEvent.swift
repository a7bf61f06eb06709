import Foundation
import InteropCore

/// One line a `tls-interop peer` process prints on stdout: JSON, one event per line, so a runner can read a
/// peer's progress as it happens and tell its output from garbage.
public struct PeerEvent: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// A server is ready; `port` is the port the kernel chose.
        case listening
        /// One connection's full record.
        case record
        /// The peer's loop ended (`ending`: completed, timeout, stalled).
        case finished
        /// The endpoint cannot play this cell (`reason` says why); it exits with `unsupportedExitStatus` and the cell
        /// is not applicable — never a failure, never a time-out (docs/peer-contract.md).
        case unsupported
        /// A client of a scenario whose clients resume: its session as its library serialized it (`session`, hex),
        /// for the runner to hand the next client (`--resume-session`).
        case session
        /// A secret the endpoint's session derived, as a key log line (`secret`), when the runner asked for them
        /// (`--log-secrets true`) to keep wire evidence.
        case secret
    }

    /// The exit status an endpoint reserves for "I cannot play this cell", with an `unsupported` line before it.
    public static let unsupportedExitStatus: Int32 = 4

    public var event: Kind
    public var port: UInt16?
    public var record: ConnectionRecord?
    public var ending: LoopEnding?
    public var reason: String?
    public var session: String?
    public var secret: String?

    public init(
        event: Kind, port: UInt16? = nil, record: ConnectionRecord? = nil, ending: LoopEnding? = nil, reason: String? = nil,
        session: String? = nil, secret: String? = nil
    ) {
        self.secret = secret
        self.event = event
        self.port = port
        self.record = record
        self.ending = ending
        self.reason = reason
        self.session = session
    }

    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public static func parse(_ line: String) -> PeerEvent? {
        try? JSONDecoder().decode(PeerEvent.self, from: Data(line.utf8))
    }
}

/// Runs one endpoint of a cell in this process, as `tls-interop peer` does, printing `PeerEvent` lines.
public enum PeerEndpoint {
    /// `listenerDescriptor`: a socket the runner bound for this server (TCP or UDP), instead of binding its own.
    public static func runServer(
        plan: CellPlan, listenerDescriptor: Int32? = nil, deadline: Duration, secretLog: SecretLog? = nil,
        emit: @escaping (PeerEvent) -> Void
    ) throws {
        let listener = try listenerDescriptor.map { descriptor throws -> any BoundListener in
            try plan.cell.protocolVersion.isDatagram ? UDPListener(adopting: descriptor) : TCPListener(adopting: descriptor)
        } ?? plan.makeSocketListener()
        let port = listener.address.port
        let server = plan.makeServer(listener: listener)
        server.requiredConnections = plan.cell.protocolVersion.isDatagram ? 1 : plan.cell.scenario.clientCount
        // Each record goes out as soon as its connection ends, so a runner that has to stop this process early
        // still has every connection that finished.
        server.onConnectionFinished = { emit(PeerEvent(event: .record, record: $0)) }
        server.secretLog = secretLog
        emit(PeerEvent(event: .listening, port: port))
        let ending = InProcessLoop(deadline: deadline).run([server])
        for line in secretLog?.lines ?? [] { emit(PeerEvent(event: .secret, secret: line)) }
        emit(PeerEvent(event: .finished, ending: ending))
    }

    /// `resumeWith`: the session an earlier client process made, for a client of a scenario whose clients resume.
    public static func runClient(
        plan: CellPlan, port: UInt16, ordinal: Int, deadline: Duration, resumeWith: [UInt8]? = nil, secretLog: SecretLog? = nil,
        emit: (PeerEvent) -> Void
    ) {
        let address = LoopbackAddress(port: port)
        let client = plan.makeClient(ordinal: ordinal, dialer: plan.makeDialer(to: address))
        client.resumeWith = resumeWith
        client.secretLog = secretLog
        let ending = InProcessLoop(deadline: deadline).run([client])
        for line in secretLog?.lines ?? [] { emit(PeerEvent(event: .secret, secret: line)) }
        if let session = client.resumptionData {
            emit(PeerEvent(event: .session, session: Hexadecimal.string(session)))
        }
        emit(PeerEvent(event: .record, record: client.record))
        emit(PeerEvent(event: .finished, ending: ending))
    }
}
