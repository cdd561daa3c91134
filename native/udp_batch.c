/*
 * udp_batch: a UDP socket for Node that moves datagrams in batches (Linux recvmmsg/sendmmsg), for
 * the tracker's BEP 15 edge (src/tracker/edges/udp/udp-batch.ts is its only user).
 *
 * Node's dgram module pays, per datagram, one recvmsg and one sendmsg system call, a Buffer, an
 * address object and a string, and two crossings between C++ and JavaScript. Here one wake-up of
 * the event loop reads up to BATCH datagrams with one recvmmsg into memory JavaScript already owns
 * (three ArrayBuffers handed over at open), calls JavaScript once with the count, and sends every
 * answer JavaScript wrote back with one sendmmsg, to the addresses the datagrams came from. In a
 * large batch JavaScript flushes the answers written so far every few datagrams (one sendmmsg each),
 * so a burst does not hold its first answers back until its last one is ready.
 *
 * Layout shared with JavaScript (slot i of BATCH):
 *   in   : BATCH * SLOT bytes, datagram i at i * SLOT
 *   out  : BATCH * SLOT bytes, answer i at i * SLOT
 *   meta : BATCH * META bytes at i * META:
 *            0  16 B address (IPv4 in the first 4 bytes; IPv4-mapped IPv6 reported as IPv4)
 *           16  u16 port (big-endian)   18  u8 family (4 or 6)   19  u8 1 if the datagram was cut
 *           20  i32 datagram length (host order)   24  i32 answer length (host order, 0 = none)
 *
 * The socket is non-blocking and watched with a libuv poll handle on Node's own loop, so it keeps
 * the process alive like a bound dgram socket until closed. JavaScript is entered with
 * napi_make_callback, so promise jobs and process.nextTick callbacks queued by a handler run right
 * after it, as they do after any other I/O callback.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "addon.h"

#define BATCH 64
#define SLOT 2048
#define META 28
/* At most this many batches per wake-up, so timers and other sockets get their turn. */
#define ROUNDS 16
/* meta byte 19: bit 0 = the datagram was cut; bit 1 = answered by the fast path (JavaScript skips it). */
#define ANSWERED 2

typedef struct {
  napi_env env;
  int fd;
  int family;
  uv_poll_t poll;
  napi_ref callback;
  napi_ref buffers[3];
  napi_ref resource;
  napi_async_context context;
  uint8_t *in;
  uint8_t *out;
  uint8_t *meta;
  struct mmsghdr rmsg[BATCH];
  struct mmsghdr smsg[BATCH];
  struct iovec riov[BATCH];
  struct iovec siov[BATCH];
  struct sockaddr_storage from[BATCH];
  int open;
  /* Slots of the current batch whose answers are sent already (by flush), and the batch size. */
  int flushed;
  int batch;
  int handle_closed;
  int external_gone;
  double received;
  double sent;
  double dropped;
  /* The announce fast path (udp_fast.c), when JavaScript turned it on, and the store it uses. */
  fast_path *fast;
  napi_ref fast_store;
} udp_batch;

static void throw_errno(napi_env env, const char *what, int err) {
  char text[160];
  snprintf(text, sizeof text, "%s: %s", what, strerror(err));
  char code[32];
  snprintf(code, sizeof code, "E%d", err);
  napi_throw_error(env, code, text);
}

static void free_if_done(udp_batch *u) {
  if (u->handle_closed && u->external_gone) free(u);
}

static void on_external_gone(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  udp_batch *u = data;
  u->external_gone = 1;
  free_if_done(u);
}

/* Writes the sender of slot i into its meta entry. */
static void describe_sender(udp_batch *u, int i) {
  uint8_t *m = u->meta + (size_t)i * META;
  memset(m, 0, 20);
  struct sockaddr_storage *ss = &u->from[i];
  if (ss->ss_family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    memcpy(m, &a->sin_addr, 4);
    memcpy(m + 16, &a->sin_port, 2);
    m[18] = 4;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      memcpy(m, a->sin6_addr.s6_addr + 12, 4);
      m[18] = 4;
    } else {
      memcpy(m, a->sin6_addr.s6_addr, 16);
      m[18] = 6;
    }
    memcpy(m + 16, &a->sin6_port, 2);
  }
}

/* Sends the answers of slots [u->flushed, upto) of the current batch. */
static void send_answers(udp_batch *u, int upto) {
  int count = 0;
  int from = u->flushed;
  if (upto > u->batch) upto = u->batch;
  if (upto <= from) return;
  u->flushed = upto;
  for (int i = from; i < upto; i++) {
    int32_t len;
    memcpy(&len, u->meta + (size_t)i * META + 24, 4);
    if (len <= 0 || len > SLOT) continue;
    u->siov[count].iov_base = u->out + (size_t)i * SLOT;
    u->siov[count].iov_len = (size_t)len;
    memset(&u->smsg[count].msg_hdr, 0, sizeof u->smsg[count].msg_hdr);
    u->smsg[count].msg_hdr.msg_name = &u->from[i];
    u->smsg[count].msg_hdr.msg_namelen = u->rmsg[i].msg_hdr.msg_namelen;
    u->smsg[count].msg_hdr.msg_iov = &u->siov[count];
    u->smsg[count].msg_hdr.msg_iovlen = 1;
    count++;
  }
  int done = 0;
  while (done < count) {
    int r = sendmmsg(u->fd, u->smsg + done, (unsigned)(count - done), MSG_DONTWAIT);
    if (r > 0) {
      done += r;
      u->sent += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      /* A full send buffer (EAGAIN) or an unreachable peer: this answer is lost, as UDP allows. */
      done++;
      u->dropped++;
    }
  }
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  udp_batch *u = handle->data;
  if (status < 0 || !u->open) return;
  napi_env env = u->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  for (int round = 0; round < ROUNDS && u->open; round++) {
    for (int i = 0; i < BATCH; i++) {
      u->riov[i].iov_base = u->in + (size_t)i * SLOT;
      u->riov[i].iov_len = SLOT;
      memset(&u->rmsg[i].msg_hdr, 0, sizeof u->rmsg[i].msg_hdr);
      u->rmsg[i].msg_hdr.msg_name = &u->from[i];
      u->rmsg[i].msg_hdr.msg_namelen = sizeof u->from[i];
      u->rmsg[i].msg_hdr.msg_iov = &u->riov[i];
      u->rmsg[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(u->fd, u->rmsg, BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) break;
    u->received += n;
    for (int i = 0; i < n; i++) {
      describe_sender(u, i);
      uint8_t *m = u->meta + (size_t)i * META;
      m[19] = (u->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) ? 1 : 0;
      int32_t len = (int32_t)u->rmsg[i].msg_len;
      int32_t none = 0;
      memcpy(m + 20, &len, 4);
      memcpy(m + 24, &none, 4);
    }
    int pending = n;
    if (u->fast) {
      pending = 0;
      for (int i = 0; i < n; i++) {
        uint8_t *m = u->meta + (size_t)i * META;
        int32_t alen = 0;
        if (!m[19]) {
          uint16_t from_port = (uint16_t)((m[16] << 8) | m[17]);
          alen = fast_answer(u->fast, u->in + (size_t)i * SLOT, (int)u->rmsg[i].msg_len, m, m[18] == 4 ? 4 : 16,
                             from_port, u->out + (size_t)i * SLOT, SLOT);
        }
        if (alen > 0) {
          memcpy(m + 24, &alen, 4);
          m[19] |= ANSWERED;
        } else {
          pending++;
        }
      }
    }
    if (pending == 0) {
      u->flushed = 0;
      u->batch = n;
      send_answers(u, n);
      u->batch = 0;
      if (n < BATCH) break;
      continue;
    }
    napi_value fn, recv, argv[1], result;
    if (napi_get_reference_value(env, u->callback, &fn) != napi_ok ||
        napi_get_reference_value(env, u->resource, &recv) != napi_ok ||
        napi_create_int32(env, n, &argv[0]) != napi_ok) {
      break;
    }
    u->flushed = 0;
    u->batch = n;
    napi_status s = napi_make_callback(env, u->context, recv, fn, 1, argv, &result);
    if (s == napi_pending_exception) {
      /* The JavaScript side catches everything; anything else is a bug that must surface. */
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
      break;
    }
    if (u->open) send_answers(u, n);
    u->batch = 0;
    if (n < BATCH) break;
  }
  napi_close_handle_scope(env, scope);
}

static int parse_address(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return AF_INET;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *len = sizeof *a6;
    return AF_INET6;
  }
  return -1;
}

static napi_value arraybuffer_data(napi_env env, napi_value value, size_t want, uint8_t **data) {
  bool is;
  CHECK(napi_is_arraybuffer(env, value, &is));
  void *p;
  size_t len;
  if (!is || napi_get_arraybuffer_info(env, value, &p, &len) != napi_ok || len < want) {
    napi_throw_type_error(env, NULL, "udp_batch: buffers must be ArrayBuffers of the right size");
    return NULL;
  }
  *data = p;
  return value;
}

/* open(host, port, in, out, meta, callback, bufferBytes) -> handle */
static napi_value udp_open(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) {
    napi_throw_type_error(env, NULL, "udp_batch.open: 7 arguments expected");
    return NULL;
  }
  char host[64];
  size_t hostLen;
  int32_t port, bufferBytes;
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hostLen) != napi_ok ||
      napi_get_value_int32(env, argv[1], &port) != napi_ok ||
      napi_get_value_int32(env, argv[6], &bufferBytes) != napi_ok || port < 0 || port > 65535) {
    napi_throw_type_error(env, NULL, "udp_batch.open: bad host, port or buffer size");
    return NULL;
  }
  struct sockaddr_storage addr;
  socklen_t addrLen;
  int family = parse_address(host, port, &addr, &addrLen);
  if (family < 0) {
    napi_throw_type_error(env, "ERR_INVALID_IP_ADDRESS", "udp_batch.open: host must be an IP address");
    return NULL;
  }
  udp_batch *u = calloc(1, sizeof *u);
  if (!u) {
    napi_throw_error(env, NULL, "udp_batch: out of memory");
    return NULL;
  }
  if (!arraybuffer_data(env, argv[2], (size_t)BATCH * SLOT, &u->in) ||
      !arraybuffer_data(env, argv[3], (size_t)BATCH * SLOT, &u->out) ||
      !arraybuffer_data(env, argv[4], (size_t)BATCH * META, &u->meta)) {
    free(u);
    return NULL;
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    free(u);
    throw_errno(env, "udp_batch: socket", errno);
    return NULL;
  }
  if (family == AF_INET6) {
    /* Like Node's udp6 sockets: '::' also takes IPv4 (as mapped addresses). */
    int off = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  }
  if (bufferBytes > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufferBytes, sizeof bufferBytes);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufferBytes, sizeof bufferBytes);
  }
  if (bind(fd, (struct sockaddr *)&addr, addrLen) < 0) {
    int err = errno;
    close(fd);
    free(u);
    throw_errno(env, "udp_batch: bind", err);
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &u->poll, fd) != 0) {
    close(fd);
    free(u);
    napi_throw_error(env, NULL, "udp_batch: cannot watch the socket");
    return NULL;
  }
  u->env = env;
  u->fd = fd;
  u->family = family;
  u->poll.data = u;
  u->open = 1;
  napi_value resource, name, handle;
  CHECK(napi_create_object(env, &resource));
  CHECK(napi_create_string_utf8(env, "SeedcastUdpBatch", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, resource, name, &u->context));
  CHECK(napi_create_reference(env, resource, 1, &u->resource));
  CHECK(napi_create_reference(env, argv[5], 1, &u->callback));
  for (int i = 0; i < 3; i++) CHECK(napi_create_reference(env, argv[2 + i], 1, &u->buffers[i]));
  uv_poll_start(&u->poll, UV_READABLE, on_readable);
  CHECK(napi_create_external(env, u, on_external_gone, NULL, &handle));
  return handle;
}

static udp_batch *unwrap(napi_env env, napi_value value) {
  void *p = NULL;
  if (napi_get_value_external(env, value, &p) != napi_ok || !p) {
    napi_throw_type_error(env, NULL, "udp_batch: not a socket handle");
    return NULL;
  }
  return p;
}

/* port(handle) -> the bound port */
static napi_value udp_port(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  udp_batch *u = unwrap(env, argv[0]);
  if (!u) return NULL;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (!u->open || getsockname(u->fd, (struct sockaddr *)&ss, &len) < 0) {
    napi_throw_error(env, NULL, "udp_batch: socket is closed");
    return NULL;
  }
  int port = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
                                     : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  CHECK(napi_create_int32(env, port, &out));
  return out;
}

/* sendTo(handle, data: Uint8Array, address: Uint8Array(4|16), port) -> true if sent */
static napi_value udp_send_to(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  udp_batch *u = unwrap(env, argv[0]);
  if (!u) return NULL;
  void *data, *ip;
  size_t dataLen, ipLen;
  int32_t port;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  if (argc < 4 || napi_get_typedarray_info(env, argv[1], &t, &dataLen, &data, &ab, &off) != napi_ok ||
      napi_get_typedarray_info(env, argv[2], &t, &ipLen, &ip, &ab, &off) != napi_ok ||
      napi_get_value_int32(env, argv[3], &port) != napi_ok || (ipLen != 4 && ipLen != 16)) {
    napi_throw_type_error(env, NULL, "udp_batch.sendTo: bad arguments");
    return NULL;
  }
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t len;
  if (u->family == AF_INET) {
    if (ipLen != 4) {
      CHECK(napi_get_boolean(env, false, &out));
      return out;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    memcpy(&a->sin_addr, ip, 4);
    len = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (ipLen == 4) {
      a->sin6_addr.s6_addr[10] = 0xff;
      a->sin6_addr.s6_addr[11] = 0xff;
      memcpy(a->sin6_addr.s6_addr + 12, ip, 4);
    } else {
      memcpy(a->sin6_addr.s6_addr, ip, 16);
    }
    len = sizeof *a;
  }
  ssize_t r = u->open ? sendto(u->fd, data, dataLen, MSG_DONTWAIT, (struct sockaddr *)&ss, len) : -1;
  if (r >= 0) u->sent++;
  else u->dropped++;
  CHECK(napi_get_boolean(env, r >= 0, &out));
  return out;
}

/*
 * flush(handle, upto): sends the answers written so far to slots below `upto` of the batch being
 * handled, so that the first datagrams of a large batch are not kept waiting for the last.
 */
static napi_value udp_flush(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t upto;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  udp_batch *u = unwrap(env, argv[0]);
  if (!u) return NULL;
  if (argc < 2 || napi_get_value_int32(env, argv[1], &upto) != napi_ok) {
    napi_throw_type_error(env, NULL, "udp_batch.flush: bad arguments");
    return NULL;
  }
  if (u->open) send_answers(u, upto);
  return NULL;
}

/* stats(handle) -> [received, sent, dropped] */
static napi_value udp_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, v;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  udp_batch *u = unwrap(env, argv[0]);
  if (!u) return NULL;
  CHECK(napi_create_array_with_length(env, 3, &out));
  double values[3] = {u->received, u->sent, u->dropped};
  for (uint32_t i = 0; i < 3; i++) {
    CHECK(napi_create_double(env, values[i], &v));
    CHECK(napi_set_element(env, out, i, v));
  }
  return out;
}

static void on_handle_closed(uv_handle_t *handle) {
  udp_batch *u = handle->data;
  close(u->fd);
  u->handle_closed = 1;
  free_if_done(u);
}

/* close(handle): stops reading, closes the socket; later calls do nothing. */
static napi_value udp_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  udp_batch *u = unwrap(env, argv[0]);
  if (!u) return NULL;
  if (u->open) {
    u->open = 0;
    uv_poll_stop(&u->poll);
    napi_delete_reference(env, u->callback);
    napi_delete_reference(env, u->resource);
    for (int i = 0; i < 3; i++) napi_delete_reference(env, u->buffers[i]);
    napi_async_destroy(env, u->context);
    if (u->fast) {
      fast_free(u->fast);
      u->fast = NULL;
      napi_delete_reference(env, u->fast_store);
    }
    uv_close((uv_handle_t *)&u->poll, on_handle_closed);
  }
  return NULL;
}

/* The fast path's place in a socket handle, for udp_fast_binding.c (see addon.h). */
int udp_batch_fast_slot(napi_env env, napi_value handle, fast_path ***fast, napi_ref **store) {
  udp_batch *u = unwrap(env, handle);
  if (!u) return -1;
  *fast = &u->fast;
  if (store) *store = &u->fast_store;
  return u->open;
}

napi_value udp_batch_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, udp_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"port", NULL, udp_port, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendTo", NULL, udp_send_to, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flush", NULL, udp_flush, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, udp_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, udp_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value batch, slot, meta;
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok ||
      napi_create_int32(env, BATCH, &batch) != napi_ok || napi_create_int32(env, SLOT, &slot) != napi_ok ||
      napi_create_int32(env, META, &meta) != napi_ok ||
      napi_set_named_property(env, exports, "BATCH", batch) != napi_ok ||
      napi_set_named_property(env, exports, "SLOT", slot) != napi_ok ||
      napi_set_named_property(env, exports, "META", meta) != napi_ok) {
    return NULL;
  }
  return exports;
}

