internal import CGnuTLS
import InteropCore

#if canImport(Glibc)
import Glibc
#endif

/// Every alert GnuTLS sends or receives, as GnuTLS itself reports it.
///
/// GnuTLS has no per-session alert callback that leaves alerts on the wire (`gnutls_alert_set_read_function` makes
/// `gnutls_alert_send` hand the alert to a QUIC stack instead of sending it), so the record log is the only place the
/// library says which alerts crossed: `REC: Sending Alert[level|description]` from `gnutls_alert_send` and
/// `REC[session]: Alert[level|description] - … - was received` from the record layer, both at log level 5. The log
/// function is process-wide and "Sending Alert" names no session, so each session's calls run with its recorder
/// set for the calling thread.
enum GnuTLSAlertLog {
    /// Log level 5 is `_gnutls_record_log`, the level of both alert lines.
    private static let recordLogLevel: Int32 = 5

    private static let threadRecorder: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        gnutls_global_set_log_function(gnutlsLogLine)
        gnutls_global_set_log_level(recordLogLevel)
        return key
    }()

    /// Runs `body` (calls into GnuTLS on one session) with the alerts GnuTLS logs meanwhile going to `recorder`.
    static func observing<Result>(_ recorder: GnuTLSAlertRecorder, _ body: () -> Result) -> Result {
        let key = threadRecorder
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(recorder).toOpaque())
        defer { pthread_setspecific(key, previous) }
        return body()
    }

    fileprivate static func logged(_ line: UnsafePointer<CChar>) {
        guard let pointer = pthread_getspecific(threadRecorder) else { return }
        // Most lines are record and assertion chatter; only the two alert lines matter.
        guard strstr(line, "Alert[") != nil else { return }
        let text = String(cString: line)
        guard let event = parse(text) else { return }
        Unmanaged<GnuTLSAlertRecorder>.fromOpaque(pointer).takeUnretainedValue().logged(event)
    }

    /// `REC: Sending Alert[1|0] - Close notify` or `REC[0x…]: Alert[2|120] - No supported … - was received`.
    static func parse(_ line: String) -> AlertEvent? {
        let direction: AlertEvent.Direction
        if line.contains("Sending Alert[") {
            direction = .sent
        } else if line.contains("was received") {
            direction = .received
        } else {
            return nil
        }
        guard let open = line.range(of: "Alert["), let close = line[open.upperBound...].firstIndex(of: "]") else { return nil }
        let fields = line[open.upperBound..<close].split(separator: "|")
        guard fields.count == 2, let level = UInt8(fields[0]), let code = UInt8(fields[1]) else { return nil }
        return AlertEvent(direction: direction, level: level, code: code)
    }
}

/// The alerts one GnuTLS session logged. A send that met `GNUTLS_E_AGAIN` is retried by the next call, which logs
/// "Sending Alert" again for the same alert record; that repeat is not a second alert.
final class GnuTLSAlertRecorder {
    private(set) var alerts: [AlertEvent] = []
    private var sentDuringCall: AlertEvent?
    private var interruptedSend: AlertEvent?

    fileprivate func logged(_ event: AlertEvent) {
        if event.direction == .sent {
            defer { sentDuringCall = event }
            if event == interruptedSend { return }
        }
        alerts.append(event)
    }

    /// Called after every call into GnuTLS with whether it asked to be repeated.
    func callEnded(interrupted: Bool) {
        interruptedSend = interrupted ? sentDuringCall ?? interruptedSend : nil
        sentDuringCall = nil
    }
}

private func gnutlsLogLine(_ level: Int32, _ line: UnsafePointer<CChar>?) {
    guard let line else { return }
    GnuTLSAlertLog.logged(line)
}
