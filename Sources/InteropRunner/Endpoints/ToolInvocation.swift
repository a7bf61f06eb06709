import InteropCore

/// One cell's call on an endpoint adapter: which library it is built on, which cell, and where the certificates,
/// the plug-ins' tools and the unpacked programs (`{deps}`) are.
struct ToolInvocation {
    let library: TLSLibrary
    let plan: CellPlan
    let certs: String
    let spec: ExternalPeerSpec
    let tools: CommandLineTools
    /// Where programs installed by `make endpoints` are unpacked: `.deps` beside the fixtures.
    let dependencies: String
    /// Where a program that cannot bind port 0 gets its port (datagram or not).
    let portSource: @Sendable (Bool) throws -> UInt16

    var protocolVersion: ProtocolVersion { plan.cell.protocolVersion }
}
