/// Compares the direction a library asked to wait for with what really blocked. With a harness transport the
/// refusal during the call says which direction blocked; a request for the other direction is a mismatch (a loop
/// that trusts it waits on the wrong event). A request to wait although nothing blocked — nothing was refused, or on
/// the library's own socket I/O the socket was already ready in that direction — is a spurious wait: harmless to a
/// poll loop (it wakes at once) but worth knowing. Nothing else runs between the call and the check, so the
/// socket's state is the one the library saw.
struct DirectionAudit {
    let connection: any RawConnection
    let transport: (any ByteTransport)?

    func check(_ asked: TransportDirection, action: EndpointAction, refusalsBefore: Int, record: inout ConnectionRecord) {
        record.directionChecks += 1
        if let transport {
            guard transport.refusalCount > refusalsBefore, let refused = transport.lastRefusal else {
                record.spuriousWaits.append("\(action): asked to wait for \(asked) although the transport refused nothing")
                return
            }
            if refused != asked {
                record.directionMismatches.append("\(action): asked to wait for \(asked), transport refused \(refused)")
            }
        } else if !connection.wouldBlock(asked) {
            record.spuriousWaits.append("\(action): asked to wait for \(asked) although the socket was ready for it")
        }
    }
}
