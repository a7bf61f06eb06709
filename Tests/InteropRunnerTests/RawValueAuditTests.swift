import InteropCore
import Testing

/// The audit the matrix test runs over every recorded call must itself reject what the C APIs cannot return.
@Suite struct RawValueAuditTests {
    func entry(_ outcome: Outcome, _ raw: RawResult) -> TraceEntry {
        TraceEntry(action: "handshake", outcome: outcome, raw: raw)
    }

    @Test func aHandshakeRetryRecordedAsZeroIsRejected() {
        // What the trace used to show: SSL_do_handshake=0 with SSL_ERROR_WANT_READ (the library had returned -1).
        let wrong = entry(.wantRead, RawResult(call: "SSL_do_handshake", returnValue: 0, code: 2, codeName: "SSL_ERROR_WANT_READ"))
        #expect(RawValueAudit.problem(with: wrong) != nil)
        let right = entry(.wantRead, RawResult(call: "SSL_do_handshake", returnValue: -1, code: 2, codeName: "SSL_ERROR_WANT_READ"))
        #expect(RawValueAudit.problem(with: right) == nil)
    }

    @Test func anOutcomeTheRawValueDoesNotMeanIsRejected() {
        let zeroReturn = entry(.eof(.unexpected), RawResult(call: "SSL_read_ex", returnValue: 0, code: 6, codeName: "SSL_ERROR_ZERO_RETURN"))
        #expect(RawValueAudit.problem(with: zeroReturn) != nil)
        let again = entry(.wantRead, RawResult(call: "gnutls_record_recv", returnValue: -28, code: -28, codeName: "GNUTLS_E_AGAIN", direction: 1))
        #expect(RawValueAudit.problem(with: again) != nil)
        let count = entry(.ok(100), RawResult(call: "gnutls_record_send", returnValue: 50))
        #expect(RawValueAudit.problem(with: count) != nil)
        let shutdown = entry(.closeComplete, RawResult(call: "SSL_shutdown", returnValue: 0, code: 0, codeName: "SSL_ERROR_NONE"))
        #expect(RawValueAudit.problem(with: shutdown) != nil)
    }

    @Test func anUnknownCallIsReportedRatherThanPassed() {
        let unknown = entry(.ok(0), RawResult(call: "SSL_CTX_set_session_ticket_cb", returnValue: 1))
        #expect(RawValueAudit.problem(with: unknown)?.contains("does not know") == true)
    }
}
