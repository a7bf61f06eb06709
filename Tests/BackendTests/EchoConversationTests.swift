import GnuTLSBackend
import InteropCore
import OpenSSLBackend
import Testing

let packageRoot = String(#filePath.split(separator: "/Tests/").first!)
let testCredentials = Credentials.standard(in: packageRoot + "/certs")

/// The backends under test, composed here as the CLI composes them.
let testLibraries = LibraryRegistry([OpenSSLBackend.plugin, GnuTLSBackend.plugin])

func backend(_ library: TLSLibrary) -> any TLSBackend {
    testLibraries.backend(for: library)!
}

struct Conversation {
    var server: [ConnectionRecord]
    var client: ConnectionRecord
    var ending: LoopEnding
}

func converse(
    server: TLSLibrary, client: TLSLibrary, version: ProtocolVersion, serverALPN: [String] = [], clientALPN: [String] = [],
    payload: [UInt8] = Array("hello".utf8), serverOptions: [String: LibraryOptionValues] = [:]
) throws -> Conversation {
    let listener = try TLSListenerFactory.loopback()
    let echo = EchoServer(
        backend: backend(server),
        settings: EndpointSettings(
            role: .server, protocolVersion: version, credentials: testCredentials, alpn: serverALPN,
            libraryOptions: serverOptions),
        actions: EndpointAction.echoServer, listener: listener)
    let requester = EchoClient(
        backend: backend(client),
        settings: EndpointSettings(role: .client, protocolVersion: version, credentials: testCredentials, alpn: clientALPN),
        actions: EndpointAction.echoClient, payload: payload, address: listener.address, ordinal: 1)
    let ending = InProcessLoop(deadline: .seconds(10)).run([echo, requester])
    return Conversation(server: echo.connections, client: requester.record, ending: ending)
}

enum TLSListenerFactory {
    static func loopback() throws -> TCPListener { try TCPListener() }
}

@Suite struct EchoConversationTests {
    static let pairings: [(TLSLibrary, TLSLibrary, ProtocolVersion)] = testLibraries.libraries.flatMap { server in
        testLibraries.libraries.flatMap { client in ProtocolVersion.streamVersions.map { (server, client, $0) } }
    }

    @Test(arguments: pairings)
    func echoArrivesIntact(server: TLSLibrary, client: TLSLibrary, version: ProtocolVersion) throws {
        let payload = SeededGenerator.payload(count: 5000, seed: 3)
        let result = try converse(server: server, client: client, version: version, payload: payload)
        #expect(result.ending == .completed)
        #expect(result.client.handshake == .ok(0))
        #expect(result.client.bytesRead == 5000)
        #expect(result.client.readDigest == result.client.writtenDigest)
        #expect(result.server.count == 1)
        #expect(result.server.first?.readDigest == result.client.writtenDigest)
        #expect(result.client.negotiatedVersion == version)
        #expect(result.server.first?.negotiatedVersion == version)
    }
}
