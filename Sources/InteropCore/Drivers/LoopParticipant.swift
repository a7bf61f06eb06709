/// Something the in-process event loop drives: an endpoint with a socket and a script.
public protocol LoopParticipant: AnyObject {
    /// Makes every call that can complete now; returns what to wait for, or nil when there is nothing left to do.
    func advance() -> Readiness?
    /// True when the participant may be left as it is once everyone else has finished (a server between clients).
    var isSettled: Bool { get }
    /// The deadline passed, or nothing can progress any more (`reason` says which): record a timeout where the
    /// participant stands and release its connections.
    func expire(reason: String)
}
