/// How a write interrupted by WANT_WRITE / GNUTLS_E_AGAIN is resumed (catalogue R4). Only `sameBuffer` follows
/// OpenSSL's rule; the others show what each library does when the rule is broken, or use GnuTLS's own calls.
public enum RetryVariant: String, Sendable, Hashable, CaseIterable {
    /// The same pointer and length.
    case sameBuffer
    /// The same pointer, half the length.
    case shorter
    /// The same pointer, 128 bytes more.
    case longer
    /// The same bytes copied to another buffer (what `SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER` permits).
    case movedCopy
    /// The same pointer and length, the contents changed in between.
    case changedContents
    /// `gnutls_record_send(NULL, 0)`, which GnuTLS documents as the way to resume.
    case withoutData
    /// `gnutls_record_discard_queued`: give up on the queued record.
    case discardQueued
}
