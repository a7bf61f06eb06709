#ifndef CGNUTLS_SHIM_H
#define CGNUTLS_SHIM_H

#include <gnutls/gnutls.h>
#include <gnutls/dtls.h>

/* gnutls_free is a global function pointer, which Swift 6 refuses to touch as shared mutable state. */
static inline void CGnuTLS_gnutls_free(void *pointer) {
    gnutls_free(pointer);
}

#endif
