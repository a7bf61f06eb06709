import InteropCore

/// A library's command-line tools playing one endpoint of a cell: how to start them for the cell's protocol and
/// ALPN settings, and how to read their output back into a `ConnectionRecord`. An adapter is chosen by the tools a
/// plug-in ships (`requiredTools`), not by which library it is: a new tool is one entry in a plug-in's
/// `commandLineTools` and one adapter here.
protocol CommandLineToolAdapter: Sendable {
    /// The tool names a plug-in must ship for this adapter to drive it.
    static var requiredTools: [String] { get }
    init(_ invocation: ToolInvocation)
    /// Why the tools cannot play this cell, or nil.
    var unsupportedReason: String? { get }
    /// Whether the server tool leaves by itself after one connection (`s_server -naccept 1`) rather than serving
    /// until stopped (`gnutls-serv`).
    var serverLeavesAfterOneConnection: Bool { get }
    func startServer(deadline: ContinuousClock.Instant) throws -> (ChildProcess, UInt16)
    func startClient(port: UInt16) throws -> ChildProcess
    /// What the tool printed, as the neutral record the judge reads.
    func record(from output: ToolOutput, role: EndpointRole) -> ConnectionRecord
    /// As traces and messages name it, e.g. `openssl s_client`.
    func toolName(_ role: EndpointRole) -> String
}

/// Every adapter the harness has, tried in order.
enum CommandLineToolAdapters {
    static let all: [any CommandLineToolAdapter.Type] = [OpenSSLCommandLineTool.self, GnuTLSCommandLineTools.self]

    /// The adapter for the tools `plugin` ships, set up for one cell; nil when it ships none the harness drives.
    static func adapter(for plugin: LibraryPlugin, _ invocation: ToolInvocation) -> (any CommandLineToolAdapter)? {
        all.first { adapter in adapter.requiredTools.allSatisfy { plugin.commandLineTools[$0] != nil } }.map { $0.init(invocation) }
    }
}

/// One cell's call on a library's tools: whose tools, which cell, and where the certificates and tools are.
struct ToolInvocation {
    let library: TLSLibrary
    let plan: CellPlan
    let certs: String
    let spec: ExternalPeerSpec
    let tools: CommandLineTools
    /// Where a tool that cannot bind port 0 gets its port (datagram or not).
    let portSource: @Sendable (Bool) throws -> UInt16

    var protocolVersion: ProtocolVersion { plan.cell.protocolVersion }
}

extension CommandLineToolAdapter {
    func record(from process: ChildProcess, role: EndpointRole, library: TLSLibrary) -> ConnectionRecord {
        record(from: ToolOutput(process, library: library, role: role, tool: toolName(role)), role: role)
    }

    /// How the tool was started and ended and the first lines it printed, for the report.
    func describe(_ process: ChildProcess, role: EndpointRole) -> String {
        let output = (process.standardOutputText + process.standardErrorText)
            .split(separator: "\n").prefix(40).joined(separator: "\n    ")
        return "\(toolName(role)): \(process.commandLine)\n"
            + "  ended: \(process.termination.map(\.description) ?? "running")\n  output:\n    \(output)"
    }
}
