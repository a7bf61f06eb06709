#ifndef CNGTCP2_SHIM_H
#define CNGTCP2_SHIM_H

/* ngtcp2 and its GnuTLS crypto helper, for the QUIC track only (make quic puts their headers on the include path and
 * links them): without them this module is empty and the GnuTLS backend has no QUIC. */
#if __has_include(<ngtcp2/ngtcp2.h>)
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>
#include <gnutls/crypto.h>

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
