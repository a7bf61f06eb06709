/// Where in-process clients meet an in-process server over in-memory links: the server ends of new links wait
/// here until the server accepts them.
public final class InMemoryListener: ConnectionListener {
    private var pending: [any RawConnection] = []

    public init() {}

    public func accept() throws(SocketError) -> (any RawConnection)? {
        pending.isEmpty ? nil : pending.removeFirst()
    }

    public var acceptReadiness: Readiness {
        .condition { [unowned self] in !self.pending.isEmpty }
    }

    fileprivate func enqueue(_ connection: any RawConnection) {
        pending.append(connection)
    }
}

/// Opens in-memory links to an `InMemoryListener`. `makeLink` builds both ends of link number N (client end
/// first); `connect` hands the server end to the listener, so a client can be set up before anything is sent.
public final class InMemoryDialer: ConnectionDialer {
    private let listener: InMemoryListener
    private let makeLink: (UInt64) -> (any RawConnection, any RawConnection)
    private var serverEnds: [ObjectIdentifier: any RawConnection] = [:]
    private var opened: UInt64 = 0

    public init(listener: InMemoryListener, makeLink: @escaping (UInt64) -> (any RawConnection, any RawConnection)) {
        self.listener = listener
        self.makeLink = makeLink
    }

    public func open() throws(SocketError) -> any RawConnection {
        opened += 1
        let (client, server) = makeLink(opened)
        serverEnds[ObjectIdentifier(client)] = server
        return client
    }

    public func connect(_ connection: any RawConnection) throws(SocketError) -> Readiness? {
        guard let server = serverEnds.removeValue(forKey: ObjectIdentifier(connection)) else {
            throw SocketError("connect (in-memory link not opened by this dialer)", errno: 22)
        }
        listener.enqueue(server)
        return nil
    }

    public func connectError(_ connection: any RawConnection) -> Int32 { 0 }
}
