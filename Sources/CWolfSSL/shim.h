#ifndef FLEETSIM_CWOLFSSL_SHIM_H
#define FLEETSIM_CWOLFSSL_SHIM_H

/* options.h MUST come first: it carries the build's feature macros. Without it struct layouts
 * differ from the shared library and the OPENSSL_EXTRA APIs vanish (see WOLFSSL-NOTES.md). */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfio.h>
#include <wolfssl/version.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/hash.h>
/* malloc_usable_size: the real size of a block wolfSSL allocated, for giving back its zero pages
 * (FleetTLS, TLSConnection+IdleMemory.swift). Glibc's Swift module does not export it. */
#include <malloc.h>

/* The size of a context's session-ticket keys as wolfSSL_CTX_get/set_tlsext_ticket_keys take them
 * (a macro of macros Swift cannot import): `serve` carries them over when it reloads its CRLs, so
 * the tickets it issued stay valid (FleetTLS, TLSContext+TicketKeys.swift). */
static inline int fleetsim_ticket_keys_size(void) {
#if defined(HAVE_SESSION_TICKET) && defined(WOLFSSL_TICKET_KEYS_SZ)
    return WOLFSSL_TICKET_KEYS_SZ;
#else
    return 0;
#endif
}

#endif
