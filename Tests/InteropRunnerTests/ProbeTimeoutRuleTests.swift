@testable import InteropRunner
import InteropCore
import Testing

/// RFC 9002 §6.2's probe timeout rule as the QUIC cells judge it: the first timeout three times the initial RTT
/// (333 ms), each next one doubled, or begun again after a longer one once the handshake moved on; the same timer
/// asked for again is one timeout, short timers (acknowledgement delays) are not probe timeouts.
@Suite struct ProbeTimeoutRuleTests {
    /// Handshake waits, `milliseconds` apart by their own length: each timer runs out before the next is armed.
    static func waits(_ timeouts: [Double?], step: String = "handshake") -> [TimerWait] {
        var at: UInt64 = 1_000_000
        return timeouts.map { timeout in
            defer { at += UInt64((timeout ?? 1) * 1000) }
            return TimerWait(at: at, milliseconds: timeout, step: step)
        }
    }

    @Test func backoffThatDoublesFromOneSecondFollowsTheRule() {
        #expect(CellObservation.probeTimeouts(Self.waits([999, 1998, 3996, 7992])) == "rfc9002")
        // Begun again after a Retry (measured: an ngtcp2 client against OpenSSL's listener, 1, 2, 4, then 1 s).
        #expect(CellObservation.probeTimeouts(Self.waits([999, 1998, 3996, 999])) == "rfc9002")
    }

    @Test func timeoutsThatDoNotBackOffOrStartElsewhereAreListed() {
        #expect(CellObservation.probeTimeouts(Self.waits([1000, 1000, 1000])) == "1.0 s, 1.0 s, 1.0 s")
        #expect(CellObservation.probeTimeouts(Self.waits([999, 700, 1400])) == "1.0 s, 0.7 s, 1.4 s")
        #expect(CellObservation.probeTimeouts(Self.waits([3000, 6000])) == "3.0 s, 6.0 s")
    }

    @Test func theSameTimerAskedAgainShortTimersAndOtherStepsAreNoProbeTimeouts() {
        // The loop woke 400 ms into a 999 ms timer and asked again: 599 ms left of the same deadline.
        let again = [TimerWait(at: 0, milliseconds: 999, step: "handshake"), TimerWait(at: 400_000, milliseconds: 599, step: "handshake")]
        #expect(CellObservation.probeTimeouts(again) == "rfc9002")
        #expect(CellObservation.probeTimeouts(Self.waits([2, 27, 81])) == "none")
        #expect(CellObservation.probeTimeouts(Self.waits([999, 1998], step: "readToEnd")) == "none")
        #expect(CellObservation.probeTimeouts(Self.waits([nil, nil])) == "none")
    }

    @Test func bothEndsTimersAreShownAtTheClientsMoments() {
        let client = [TimerWait(at: 1_000_000, milliseconds: 999, step: "handshake"), TimerWait(at: 1_002_000, milliseconds: 2, step: "handshake")]
        let server = [TimerWait(at: 1_001_000, milliseconds: 10, step: "handshake")]
        #expect(CellObservation.sideBySide(client: client, server: server) == "+0 ms: client 999 ms, server -; +2 ms: client 2 ms, server 9 ms")
    }
}
