import COpenSSL
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What OpenSSL itself returns where the harness's traces were once wrong, called directly (no harness code); the
/// harness's tests assert the same values in its traces.
@Suite struct OpenSSLHandshakeChecks {
    /// A client whose server reads the ClientHello and closes without a word (TCP FIN), as a GnuTLS server with
    /// GNUTLS_ALPN_MANDATORY alone does (A4n). Returns every (return value, SSL_get_error) pair the client saw.
    func handshakeAgainstASilentClose(options: UInt64) throws -> (calls: [(Int32, Int32)], finished: Int32) {
        let pair = try LoopbackPair()
        defer { pair.closeBoth() }
        let context = try #require(SSL_CTX_new(TLS_client_method()))
        defer { SSL_CTX_free(context) }
        let ssl = try #require(SSL_new(context))
        defer { SSL_free(ssl) }
        if options != 0 { SSL_set_options(ssl, options) }
        SSL_set_fd(ssl, pair.client)
        SSL_set_connect_state(ssl)
        var calls: [(Int32, Int32)] = []
        let first = SSL_do_handshake(ssl)
        calls.append((first, SSL_get_error(ssl, first)))
        usleep(20_000)
        #expect(LoopbackPair.drain(pair.server) > 0)
        shutdown(pair.server, Int32(SHUT_WR))
        usleep(20_000)
        ERR_clear_error()
        let second = SSL_do_handshake(ssl)
        calls.append((second, SSL_get_error(ssl, second)))
        return (calls, SSL_is_init_finished(ssl))
    }

    @Test func aHandshakeWaitingOrCutShortReturnsMinusOne() throws {
        let result = try handshakeAgainstASilentClose(options: 0)
        #expect(result.calls[0].0 == -1)
        #expect(result.calls[0].1 == SSL_ERROR_WANT_READ)
        #expect(result.calls[1].0 == -1)
        #expect(result.calls[1].1 == SSL_ERROR_SSL)
        #expect(result.finished == 0)
    }

    /// With SSL_OP_IGNORE_UNEXPECTED_EOF the same EOF reads as SSL_ERROR_ZERO_RETURN, a clean end, although the
    /// handshake never completed: a caller must not take it for a connection.
    @Test func ignoringUnexpectedEOFMakesAnUnfinishedHandshakeLookClean() throws {
        let result = try handshakeAgainstASilentClose(options: COpenSSL_SSL_OP_IGNORE_UNEXPECTED_EOF())
        #expect(result.calls[0].0 == -1)
        #expect(result.calls[1].1 == SSL_ERROR_ZERO_RETURN)
        #expect(result.calls[1].0 <= 0)
        #expect(result.finished == 0)
    }

    /// A DTLS server that has received nothing has sent nothing, and OpenSSL reports no retransmission timer.
    @Test func aFreshDTLSServerHasNoTimer() throws {
        let context = try #require(SSL_CTX_new(DTLS_server_method()))
        defer { SSL_CTX_free(context) }
        let ssl = try #require(SSL_new(context))
        defer { SSL_free(ssl) }
        SSL_set_accept_state(ssl)
        var remaining = timeval()
        #expect(COpenSSL_DTLSv1_get_timeout(ssl, &remaining) == 0)
    }
}
