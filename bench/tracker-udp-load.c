/*
 * tracker-udp-load: a BEP 15 (UDP tracker) announce load generator, written for Seedcast's
 * bench/tracker.ts so that the load saturates the tracker under test rather than the generator.
 *
 * usage: tracker-udp-load <ipv4> <port> <seconds> <window> <sockets> <hashes.bin> [rate]
 *
 * Each of <sockets> connected UDP sockets first gets a connection id (connect: i64 0x41727101980,
 * i32 action 0, i32 transaction id), then keeps <window> announces in flight: each answer (action
 * 1, or an action 3 error) releases one slot and sends the next announce. Announces are 98 bytes:
 *   0 i64 connection id | 8 i32 action 1 | 12 i32 transaction id | 16 info hash (one of the 20-byte
 *   hashes in <hashes.bin>, at random) | 36 peer id "-UL0001-" + 12 digits | 56 i64 downloaded |
 *   64 i64 left (0 for 25% = seeders) | 72 i64 uploaded | 80 i32 event (10% started, 5% stopped,
 *   else none) | 84 u32 ip 0 | 88 u32 key | 92 i32 num_want 50 | 96 u16 port
 * Requests are sent with sendmmsg and answers read with recvmmsg in batches. An announce not
 * answered within 500 ms counts as lost and frees its slot. After a 1 s warm-up, answers are
 * counted for <seconds>; latency (send to answer) goes into a 1 us histogram. With [rate] the load
 * is open-loop instead: announces are sent at that pace (at most <window> in flight per socket), so
 * latency is measured at a load both trackers can carry. The pace is kept to the microsecond: the
 * generator sleeps in ppoll until the next announce is due (timer slack 1 us), so at 10,000/s an
 * announce leaves every 100 us. (A millisecond poll timeout would send them in bursts of about a
 * dozen each millisecond, and then measure how long a tracker takes to work through a burst.)
 * With TRACKER_LOAD_BURST_MS=<ms> it does just that on purpose: the due announces leave together
 * every <ms> milliseconds. With TRACKER_LOAD_SPIN in the environment
 * the generator busy-polls instead of sleeping (it then needs a core of its own).
 * Prints one JSON line: {"answers","errors","lost","seconds","rate","p50_us","p90_us","p99_us",
 * "p999_us","cpu"}.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKETS 32
#define SLOTS 65536
#define BATCH 64
#define HIST_US 1000000

struct sock {
  int fd;
  uint8_t cid[8];
  uint32_t next_tid;
  uint32_t oldest;
  uint32_t outstanding;
  double sent_at[SLOTS];
  uint8_t live[SLOTS];
};

static struct sock socks[MAX_SOCKETS];
static uint32_t hist[HIST_US + 1];
static uint8_t *hashes;
static size_t nhashes;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static void put64(uint8_t *p, uint64_t v) {
  put32(p, (uint32_t)(v >> 32));
  put32(p + 4, (uint32_t)v);
}

static uint32_t get32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void build_announce(struct sock *s, uint8_t *b) {
  uint64_t r = next_rand();
  uint32_t peer = (uint32_t)(r % 50000);
  uint32_t tid = s->next_tid++;
  memcpy(b, s->cid, 8);
  put32(b + 8, 1);
  put32(b + 12, tid);
  memcpy(b + 16, hashes + ((r >> 20) % nhashes) * 20, 20);
  char id[21];
  snprintf(id, sizeof id, "-UL0001-%012u", peer);
  memcpy(b + 36, id, 20);
  put64(b + 56, 0);
  unsigned pct = (unsigned)((r >> 40) % 100);
  unsigned pct2 = (unsigned)((r >> 50) % 100);
  put64(b + 64, pct2 < 25 ? 0 : 1048576);
  put64(b + 72, 0);
  put32(b + 80, pct < 10 ? 2 : pct < 15 ? 3 : 0);
  put32(b + 84, 0);
  put32(b + 88, peer);
  put32(b + 92, 50);
  b[96] = (uint8_t)((1024 + peer % 60000) >> 8);
  b[97] = (uint8_t)(1024 + peer % 60000);
  s->sent_at[tid & (SLOTS - 1)] = now_s();
  s->live[tid & (SLOTS - 1)] = 1;
  s->outstanding++;
}

static void send_some(struct sock *s, unsigned n) {
  static uint8_t bufs[BATCH][98];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  while (n > 0) {
    unsigned k = n > BATCH ? BATCH : n;
    for (unsigned i = 0; i < k; i++) {
      build_announce(s, bufs[i]);
      iov[i].iov_base = bufs[i];
      iov[i].iov_len = 98;
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(s->fd, msgs, k, 0);
    if (sent < (int)k) {
      /* Unsent announces are not in flight. */
      unsigned unsent = sent < 0 ? k : k - (unsigned)sent;
      for (unsigned i = 0; i < unsent; i++) {
        uint32_t tid = s->next_tid - 1 - i;
        s->live[tid & (SLOTS - 1)] = 0;
        s->outstanding--;
      }
      return;
    }
    n -= k;
  }
}

static int get_connection_id(struct sock *s) {
  uint8_t req[16], res[64];
  put64(req, 0x41727101980ull);
  put32(req + 8, 0);
  for (int attempt = 0; attempt < 10; attempt++) {
    put32(req + 12, 0xc0ffee00u + attempt);
    send(s->fd, req, 16, 0);
    struct pollfd p = {s->fd, POLLIN, 0};
    if (poll(&p, 1, 500) > 0) {
      ssize_t n = recv(s->fd, res, sizeof res, 0);
      if (n >= 16 && get32(res) == 0) {
        memcpy(s->cid, res + 8, 8);
        return 0;
      }
    }
  }
  return -1;
}

static double cpu_seconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 7 && argc != 8) {
    fprintf(stderr, "usage: %s <ipv4> <port> <seconds> <window> <sockets> <hashes.bin> [rate]\n", argv[0]);
    return 2;
  }
  double rate = argc == 8 ? atof(argv[7]) : 0;
  /* With TRACKER_LOAD_SPIN set the generator never sleeps in poll(): the tracker's answers then
     never have to wake it up, which costs the sender dearly on a virtual machine. */
  int spin = getenv("TRACKER_LOAD_SPIN") != NULL;
  const char *burst_env = getenv("TRACKER_LOAD_BURST_MS");
  double burst = burst_env ? atof(burst_env) / 1000 : 0;
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  double seconds = atof(argv[3]);
  unsigned window = (unsigned)atoi(argv[4]);
  int nsock = atoi(argv[5]);
  if (nsock < 1 || nsock > MAX_SOCKETS || window < 1 || window > SLOTS / 2) return 2;
  FILE *f = fopen(argv[6], "rb");
  if (!f) { perror(argv[6]); return 1; }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  nhashes = (size_t)size / 20;
  hashes = malloc((size_t)size);
  if (nhashes == 0 || fread(hashes, 20, nhashes, f) != nhashes) { fprintf(stderr, "no hashes\n"); return 1; }
  fclose(f);
  rng ^= (uint64_t)getpid() << 32;

  struct sockaddr_in to = {0};
  to.sin_family = AF_INET;
  to.sin_port = htons((uint16_t)atoi(argv[2]));
  inet_pton(AF_INET, argv[1], &to.sin_addr);
  struct pollfd pfd[MAX_SOCKETS];
  for (int i = 0; i < nsock; i++) {
    struct sock *s = &socks[i];
    s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int rcv = 4 << 20;
    setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    if (connect(s->fd, (struct sockaddr *)&to, sizeof to) != 0) { perror("connect"); return 1; }
    if (get_connection_id(s) != 0) { fprintf(stderr, "no connect answer from the tracker\n"); return 1; }
    s->next_tid = 1;
    s->oldest = 1;
    pfd[i].fd = s->fd;
    pfd[i].events = POLLIN;
  }
  double start = now_s();
  double paced = 0; /* announces the pacer has released so far */
  if (rate <= 0) for (int i = 0; i < nsock; i++) send_some(&socks[i], window);

  double measure_from = start + 1.0;
  double end = measure_from + seconds;
  double last_sweep = start;
  double cpu0 = 0;
  int measuring = 0;
  unsigned long long answers = 0, errors = 0, lost = 0;
  uint8_t rbufs[BATCH][2048];
  struct mmsghdr rmsgs[BATCH];
  struct iovec riov[BATCH];
  for (;;) {
    double t = now_s();
    if (t >= end) break;
    if (!measuring && t >= measure_from) {
      measuring = 1;
      answers = errors = lost = 0;
      memset(hist, 0, sizeof hist);
      cpu0 = cpu_seconds();
    }
    if (rate > 0) {
      double due = (burst > 0 ? floor((t - start) / burst) * burst : t - start) * rate - paced;
      for (int i = 0; i < nsock && due >= 1; i++) {
        struct sock *s = &socks[(i + (int)paced) % nsock];
        unsigned n = (unsigned)(due / (nsock - i));
        if (n > window - s->outstanding) n = window - s->outstanding;
        if (n == 0) continue;
        send_some(s, n);
        paced += n;
        due -= n;
      }
    }
    if (spin) {
      poll(pfd, (nfds_t)nsock, 0);
    } else if (rate > 0) {
      /* Sleep until the next announce is due (or, in burst mode, the next burst), or an answer. */
      double next = burst > 0 ? start + (floor((now_s() - start) / burst) + 1) * burst
                              : start + (paced + 1) / rate;
      double wait = next - now_s();
      if (wait < 0) wait = 0;
      struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
      ppoll(pfd, (nfds_t)nsock, &ts, NULL);
    } else {
      poll(pfd, (nfds_t)nsock, 10);
    }
    for (int i = 0; i < nsock; i++) {
      struct sock *s = &socks[i];
      for (;;) {
        for (int k = 0; k < BATCH; k++) {
          riov[k].iov_base = rbufs[k];
          riov[k].iov_len = sizeof rbufs[k];
          memset(&rmsgs[k], 0, sizeof rmsgs[k]);
          rmsgs[k].msg_hdr.msg_iov = &riov[k];
          rmsgs[k].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(s->fd, rmsgs, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) break;
        double now = now_s();
        unsigned freed = 0;
        for (int k = 0; k < n; k++) {
          if (rmsgs[k].msg_len < 8) continue;
          uint32_t action = get32(rbufs[k]);
          uint32_t tid = get32(rbufs[k] + 4);
          uint32_t slot = tid & (SLOTS - 1);
          if (!s->live[slot]) continue;
          s->live[slot] = 0;
          s->outstanding--;
          freed++;
          if (action == 3) errors++;
          else answers++;
          double us = (now - s->sent_at[slot]) * 1e6;
          hist[us > HIST_US ? HIST_US : (uint32_t)us]++;
        }
        if (freed && rate <= 0) send_some(s, freed);
      }
    }
    if (t - last_sweep > 0.05) {
      last_sweep = t;
      for (int i = 0; i < nsock; i++) {
        struct sock *s = &socks[i];
        while (s->oldest != s->next_tid) {
          uint32_t slot = s->oldest & (SLOTS - 1);
          if (s->live[slot]) {
            if (t - s->sent_at[slot] < 0.5) break;
            s->live[slot] = 0;
            s->outstanding--;
            lost++;
          }
          s->oldest++;
        }
        if (rate <= 0 && s->outstanding < window) send_some(s, window - s->outstanding);
      }
    }
  }
  double cpu = (cpu_seconds() - cpu0) / seconds;
  unsigned long long total = 0, acc = 0;
  for (uint32_t i = 0; i <= HIST_US; i++) total += hist[i];
  uint32_t p50 = 0, p90 = 0, p99 = 0, p999 = 0;
  for (uint32_t i = 0; i <= HIST_US; i++) {
    acc += hist[i];
    if (!p50 && acc * 100 >= total * 50) p50 = i;
    if (!p90 && acc * 100 >= total * 90) p90 = i;
    if (!p99 && acc * 100 >= total * 99) p99 = i;
    if (!p999 && acc * 1000 >= total * 999) { p999 = i; break; }
  }
  printf("{\"answers\":%llu,\"errors\":%llu,\"lost\":%llu,\"seconds\":%.3f,\"rate\":%.0f,\"p50_us\":%u,"
         "\"p90_us\":%u,\"p99_us\":%u,\"p999_us\":%u,\"cpu\":%.3f}\n",
         answers, errors, lost, seconds, (answers + errors) / seconds, p50, p90, p99, p999, cpu);
  return 0;
}
