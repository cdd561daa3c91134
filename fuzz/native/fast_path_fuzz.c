/*
 * libFuzzer harness for the BEP 15 announce fast path (native/udp_fast.c) over the C swarm store.
 *
 * Each input is one datagram with a 4-byte prefix the harness reads first:
 *   byte 0  flags: bit 0 IPv6 sender; bit 1 remember the datagram's connection id for the sender
 *           (as JavaScript does after checking its HMAC), bits 6-7 how many minutes ago; bit 2 an
 *           allow list holding the datagram's info hash and a few others; bit 3 an open allow list
 *   byte 1  the answer buffer's size: 20 + 8 * byte (the slot the batch socket gives it)
 *   byte 2-3 the sender's port; the sender's address is derived from them
 * The datagram and the answer buffer are heap copies of exactly their size, so AddressSanitizer
 * sees any read or write past them. The answer must be 0 (JavaScript's) or a BEP 15 announce
 * answer that fits the buffer: action 1, the datagram's transaction id, whole peers of the
 * sender's family. One store and fast path live across inputs (as in the tracker), bounded by
 * small limits, and are swept now and then.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addon.h"
#include "swarm_store.h"

static sc_store *store;
static fast_path *fast;
static unsigned long runs;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  sc_store_options o = {.peer_ttl = 2700, .max_per_swarm = 64, .max_swarms = 256, .max_peers = 4096};
  store = sc_store_new(&o);
  fast = fast_new(store, 1800, 50, 200);
  if (!store || !fast) abort();
  return 0;
}

static void fail(const char *what) {
  fprintf(stderr, "fast_path contract broken: %s\n", what);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4) return 0;
  uint8_t flags = data[0];
  int room = 20 + 8 * data[1];
  uint16_t port = (uint16_t)(data[2] << 8 | data[3]);
  int ip_len = flags & 1 ? 16 : 4;
  uint8_t ip[16] = {0x20, 0x01, 0x0d, 0xb8};
  ip[ip_len - 2] = data[2];
  ip[ip_len - 1] = data[3];
  size_t len = size - 4 > 4000 ? 4000 : size - 4;
  uint8_t *msg = malloc(len ? len : 1);
  uint8_t *out = malloc((size_t)room);
  if (!msg || !out) abort();
  memcpy(msg, data + 4, len);

  if ((flags & 2) && len >= 8) {
    int64_t minute = (int64_t)time(NULL) / 60 - (flags >> 6);
    fast_remember(fast, msg, ip, ip_len, port, minute);
  }
  if (flags & 4) {
    uint8_t keys[4 * 20];
    memset(keys, 0xab, sizeof keys);
    for (int i = 1; i < 4; i++) keys[i * 20] = (uint8_t)i;
    if (len >= 36) memcpy(keys, msg + 16, 20);
    fast_allow(fast, keys, 4, 0);
  } else if (flags & 8) {
    fast_allow(fast, NULL, 0, 1);
  }

  int n = fast_answer(fast, msg, (int)len, ip, ip_len, port, out, room);
  if (n != 0) {
    int entry = ip_len + 2;
    if (n < 20 || n > room || (n - 20) % entry != 0) fail("answer length");
    if (out[0] || out[1] || out[2] || out[3] != 1) fail("action");
    if (memcmp(out + 4, msg + 12, 4) != 0) fail("transaction id");
    if ((n - 20) / entry > 200) fail("too many peers");
  }
  double counts[FAST_COUNTS];
  fast_counts(fast, counts);

  if (++runs % 4096 == 0) {
    int done = 0;
    sc_store_sweep(store, (uint32_t)time(NULL) + (uint32_t)(runs % 5000), 64, &done);
  }
  free(msg);
  free(out);
  return 0;
}
