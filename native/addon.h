/* What the addon's parts offer each other (see addon.c). */
#ifndef SEEDCAST_ADDON_H
#define SEEDCAST_ADDON_H

#include <node_api.h>

/* Adds open, port, sendTo, flush, stats, close, BATCH, SLOT, META (udp_batch.c). */
napi_value udp_batch_init(napi_env env, napi_value exports);

#include <stddef.h>
#include <stdint.h>

#include "swarm_store.h"

/* The announce fast path (udp_fast.c). */
typedef struct fast_path fast_path;
/* Announces answered, by event (SC_EVENT_*). */
#define FAST_COUNTS 4
fast_path *fast_new(sc_store *store, uint32_t interval, int32_t default_numwant, int32_t max_numwant);
void fast_free(fast_path *f);
/* Remembers a connection id (8 bytes) JavaScript issued or verified, with its minute. */
void fast_remember(fast_path *f, const uint8_t *id, const uint8_t *ip, int ip_len, uint16_t port,
                   int64_t slot);
/* Sets the allow list: `open` (every info hash), else `count` 20-byte keys. -1/-2: out of memory
 * (then nothing is allowed here and JavaScript decides every announce). */
int fast_allow(fast_path *f, const uint8_t *keys, size_t count, int open);
/* The answer's length written to `out` (room bytes), or 0: JavaScript must handle this datagram. */
int fast_answer(fast_path *f, const uint8_t *msg, int len, const uint8_t *ip, int ip_len, uint16_t from_port,
                uint8_t *out, int room);
void fast_counts(const fast_path *f, double *out);

/*
 * A socket handle's fast path (udp_batch.c): sets *fast to where the socket keeps its fast path
 * (NULL until fastOn) and, if `store` is not NULL, *store to where it keeps the reference to the
 * fast path's store. Returns 1 if the socket is open, 0 if closed, -1 (a TypeError thrown) if
 * `handle` is not a socket handle.
 */
int udp_batch_fast_slot(napi_env env, napi_value handle, fast_path ***fast, napi_ref **store);

/* Adds fastOn, fastRemember, fastAllow, fastStats (udp_fast_binding.c). */
napi_value udp_fast_binding_init(napi_env env, napi_value exports);

/* In an N-API function of the UDP socket: returns NULL with a JavaScript error when a call fails. */
#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "udp_batch: N-API call failed");    \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

#endif
