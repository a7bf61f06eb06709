#ifndef CNGTCP2_SHIM_H
#define CNGTCP2_SHIM_H

/* ngtcp2 1.x and its GnuTLS crypto helper, for the QUIC track only (make quic defines CNGTCP2_ENABLED, puts the
 * unpacked headers on the include path and links them): otherwise this module is empty and the GnuTLS backend has no
 * QUIC, even where bookworm's own pre-1.0 ngtcp2 headers are installed. */
#if defined(CNGTCP2_ENABLED) && __has_include(<ngtcp2/ngtcp2.h>)
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <gnutls/crypto.h>

#include <stdio.h>
#include <stdarg.h>

/* ngtcp2's log callback is variadic, which Swift cannot write: one line per call on stderr. */
static void CNGTCP2_log_line(void *user_data, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "ngtcp2 %p ", user_data);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
}

static inline void CNGTCP2_settings_log_to_stderr(ngtcp2_settings *settings) {
    settings->log_printf = CNGTCP2_log_line;
}

/* Function-like macros that set a struct version, which Swift cannot import, wrapped one to one. */

static inline void CNGTCP2_settings_default(ngtcp2_settings *settings) {
    ngtcp2_settings_default(settings);
}

static inline void CNGTCP2_transport_params_default(ngtcp2_transport_params *params) {
    ngtcp2_transport_params_default(params);
}

static inline int CNGTCP2_conn_client_new(ngtcp2_conn **conn, const ngtcp2_cid *dcid, const ngtcp2_cid *scid,
                                          const ngtcp2_path *path, const ngtcp2_callbacks *callbacks,
                                          const ngtcp2_settings *settings, const ngtcp2_transport_params *params,
                                          void *user_data) {
    return ngtcp2_conn_client_new(conn, dcid, scid, path, NGTCP2_PROTO_VER_V1, callbacks, settings, params, NULL,
                                  user_data);
}

static inline int CNGTCP2_conn_server_new(ngtcp2_conn **conn, const ngtcp2_cid *dcid, const ngtcp2_cid *scid,
                                          const ngtcp2_path *path, uint32_t version,
                                          const ngtcp2_callbacks *callbacks, const ngtcp2_settings *settings,
                                          const ngtcp2_transport_params *params, void *user_data) {
    return ngtcp2_conn_server_new(conn, dcid, scid, path, version, callbacks, settings, params, NULL, user_data);
}

static inline int CNGTCP2_conn_read_pkt(ngtcp2_conn *conn, const ngtcp2_path *path, const uint8_t *packet,
                                        size_t length, ngtcp2_tstamp ts) {
    return ngtcp2_conn_read_pkt(conn, path, NULL, packet, length, ts);
}

static inline ngtcp2_ssize CNGTCP2_conn_writev_stream(ngtcp2_conn *conn, ngtcp2_path *path, uint8_t *dest,
                                                      size_t destlen, ngtcp2_ssize *pdatalen, uint32_t flags,
                                                      int64_t stream_id, const ngtcp2_vec *datav, size_t datavcnt,
                                                      ngtcp2_tstamp ts) {
    return ngtcp2_conn_writev_stream(conn, path, NULL, dest, destlen, pdatalen, flags, stream_id, datav, datavcnt, ts);
}

static inline ngtcp2_ssize CNGTCP2_conn_write_connection_close(ngtcp2_conn *conn, ngtcp2_path *path, uint8_t *dest,
                                                               size_t destlen, const ngtcp2_ccerr *ccerr,
                                                               ngtcp2_tstamp ts) {
    return ngtcp2_conn_write_connection_close(conn, path, NULL, dest, destlen, ccerr, ts);
}
#endif

#endif
