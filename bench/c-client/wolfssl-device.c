/* wolfssl-device.c: the C reference for bench/device-cost.sh (issue #18). A plain wolfSSL client
 * that does, per connection, what one fleetsim device does, so fleetsim's client CPU per
 * handshake can be put next to what the same library costs with no simulator around it.
 *
 * It is built as a careful C load generator would be, and the way fleetsim runs its devices (one
 * event loop per core): a fixed number of worker threads (--threads, default one per core, never
 * more than --concurrency), each running a poll(2) loop over its share of the --concurrency
 * connection slots. Sockets are non-blocking and so is wolfSSL: its default I/O callbacks turn
 * EAGAIN into WANT_READ/WANT_WRITE (SSL_MODE_AUTO_RETRY cleared, so at once), and the slot waits in
 * poll for that. A slot runs one connection after the other until its thread's share of --count
 * is done. The fixed thread count matters for the cost measured: Debian's wolfSSL (FP_ECC,
 * HAVE_THREAD_LS) builds an ECC fixed-point cache per thread on its first handshake (~25 ms CPU),
 * so a thread per connection would pay that again and again; here it is a one-off per worker.
 *
 * Once at start: the CA, the device's PEM chain and PEM key are read into memory; one WOLFSSL_CTX
 * (TLS 1.2 or 1.3 only, verify peer, fleetsim's default groups and suites). Per connection:
 * wolfSSL_new, chain + key from the buffers, SNI + wolfSSL_check_domain_name, non-blocking connect
 * to HOST:PORT, wolfSSL_connect, then the server's verdict:
 *   - TLS 1.2: the handshake completing is the verdict (the server's Finished follows its check);
 *   - TLS 1.3: the server judges the client certificate after the client's Finished, so the client
 *     waits for its first record: a NewSessionTicket, data or close_notify accepts, an alert
 *     refuses, SILENCE_MS of silence accepts too (counted as "by_silence"), as fleetsim's default
 *     quiet period (at least 250 ms) does;
 *   - --mqtt: MQTT 3.1.1 CONNECT (client id c-client-N), wait for CONNACK (accepted = return code
 *     0), DISCONNECT. CONNACK is the verdict, as in `fleetsim run --protocol mqtt`.
 * then wolfSSL_shutdown (close_notify, not waiting for the peer's), wolfSSL_free, close. Every
 * connection has CONNECTION_MS from connect to verdict; past that it fails as timed out.
 * The last line is machine-readable; CPU is getrusage(RUSAGE_SELF) user+sys of the whole run
 * (every thread, set-up included) / successes.
 *
 * Build: gcc -std=c99 -O2 -o wolfssl-device wolfssl-device.c $(pkg-config --cflags --libs wolfssl) -lpthread */
#define _GNU_SOURCE
#include <wolfssl/options.h> /* first: the library's feature macros (struct layouts depend on them) */
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SILENCE_MS 250      /* fleetsim's --tls-accept quiet-period auto: 4 x TCP round trip, at least 250 ms */
#define CONNECTION_MS 5000  /* one connection's whole budget, connect to verdict */
#define MAX_RECORDS 16      /* TLS 1.3 verdict: waits for more records before it counts as silence */
#define MAX_WAKEUPS 256     /* poll wake-ups one connection may use (a handshake needs a handful) */
#define MAX_HOPS 16         /* state changes in one step() (the longest path, MQTT, has 8) */

/* fleetsim's defaults (FleetTLS/TLSConfiguration.swift): P-256 first, not wolfSSL's secp521r1. */
static const char *SUITES =
    "TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-CCM-SHA256:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-CCM:ECDHE-ECDSA-AES256-CCM:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
    "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

static struct {
    const char *host, *name;
    int port, tls13, count, concurrency, threads, mqtt; /* threads 0: one per core */
} cfg = {"127.0.0.1", "localhost", 0, 1, 100, 1, 0, 0};
static WOLFSSL_CTX *ctx;
static struct sockaddr_in server;
static unsigned char *chain, *key;
static long chain_len, key_len;
static int first_error_printed; /* only the first failure is described on stderr */

/* Where a connection is. Each state's step either moves on or waits in poll (POLLIN/POLLOUT). */
typedef enum { CONNECTING, HANDSHAKE, VERDICT, MQTT_CONNECT, MQTT_CONNACK, MQTT_DISCONNECT, DONE } state_t;

/* One slot of a worker: the connection it runs now (active) or none. */
typedef struct {
    int active, n;                   /* n: the connection's number, 1..count (the MQTT client id) */
    WOLFSSL *ssl;
    int fd;
    state_t state;
    int handshaken;                  /* wolfSSL_connect completed: close_notify is sent at the end */
    int verdict;                     /* in DONE: 1 accepted, 2 accepted by silence, 0 refused or failed */
    int ticket;                      /* set by wolfSSL's callback when a NewSessionTicket was processed */
    int records, wakeups;            /* the bounds above */
    long long deadline, quiet_until; /* CLOCK_MONOTONIC ms: end of the budget; TLS 1.3 silence */
    unsigned char connect_pkt[64], connack[4];
    int connect_len, acked;          /* MQTT: CONNECT's length, CONNACK bytes read so far */
    const char *failed_at;           /* a failure, for the one message: where, wolfSSL's error, errno */
    int ssl_error, sys_errno;
} slot_t;

/* One worker thread: connections first+1 .. first+n, at most `slots` at a time. */
typedef struct { int first, n, slots, started, ok, failed, silent; } work_t;

static void die(const char *what) { fprintf(stderr, "wolfssl-device: %s\n", what); exit(2); }

static unsigned char *slurp(const char *path, long *len) {
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) || (*len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) die(path);
    unsigned char *buf = malloc(*len);
    if (!buf || fread(buf, 1, *len, f) != (size_t)*len) die(path);
    fclose(f);
    return buf;
}

static int bounded(const char *text, long lo, long hi, const char *flag) {
    char *end; long v = strtol(text, &end, 10);
    if (*end || v < lo || v > hi) { fprintf(stderr, "wolfssl-device: %s must be %ld..%ld\n", flag, lo, hi); exit(2); }
    return (int)v;
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static int on_ticket(WOLFSSL *ssl, const unsigned char *t, int len, void *flag) {
    (void)ssl; (void)t; (void)len; *(int *)flag = 1; return 0;
}

/* The connection has its verdict. These return 0, step()'s "nothing to wait for". */
static int verdict(slot_t *s, int v) { s->verdict = v; s->state = DONE; return 0; }
static int fail(slot_t *s, const char *where, int ssl_error) {
    s->failed_at = where, s->ssl_error = ssl_error, s->sys_errno = errno;
    return verdict(s, 0);
}

/* After a wolfSSL call that did not complete: what to wait for, or a failure. */
static int wait_or_fail(slot_t *s, int ret, const char *where) {
    int e = wolfSSL_get_error(s->ssl, ret);
    if (e == WOLFSSL_ERROR_WANT_READ) return POLLIN;
    if (e == WOLFSSL_ERROR_WANT_WRITE) return POLLOUT;
    return fail(s, where, e);
}

/* Runs the slot's connection as far as it goes without waiting: returns the poll event it now
 * waits for (POLLIN or POLLOUT), or 0 when it has its verdict (state DONE). */
static int step(slot_t *s, long long now) {
    for (int hop = 0; hop < MAX_HOPS; hop++) {
        int r;
        switch (s->state) {
        case CONNECTING: { /* the socket became writable: the TCP connect's outcome */
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return fail(s, "connect", 0);
            if (err) return errno = err, fail(s, "connect", 0);
            s->state = HANDSHAKE;
            break;
        }
        case HANDSHAKE:
            if ((r = wolfSSL_connect(s->ssl)) != WOLFSSL_SUCCESS) return wait_or_fail(s, r, "handshake");
            s->handshaken = 1;
            if (cfg.mqtt) s->state = MQTT_CONNECT;
            else if (!cfg.tls13) return verdict(s, 1); /* TLS 1.2: the handshake is the verdict */
            else s->state = VERDICT;
            break;
        case VERDICT: { /* TLS 1.3: the first record after the client's Finished */
            unsigned char byte;
            if (s->records == MAX_RECORDS) return verdict(s, 2); /* more than a ticket takes: as silence */
            r = wolfSSL_read(s->ssl, &byte, 1); /* processes ticket records too (on_ticket) */
            int e = wolfSSL_get_error(s->ssl, r);
            if (r > 0 || e == WOLFSSL_ERROR_ZERO_RETURN || s->ticket) return verdict(s, 1);
            if (e != WOLFSSL_ERROR_WANT_READ) return fail(s, "verdict", e); /* an alert: refused */
            s->records++, s->quiet_until = now + SILENCE_MS; /* silence counts from the last read */
            return POLLIN;
        }
        case MQTT_CONNECT: /* a non-blocking wolfSSL_write is retried with the same buffer */
            if ((r = wolfSSL_write(s->ssl, s->connect_pkt, s->connect_len)) != s->connect_len)
                return wait_or_fail(s, r, "MQTT CONNECT");
            s->state = MQTT_CONNACK;
            break;
        case MQTT_CONNACK:
            if ((r = wolfSSL_read(s->ssl, s->connack + s->acked, (int)sizeof s->connack - s->acked)) <= 0)
                return wait_or_fail(s, r, "MQTT CONNACK");
            if ((s->acked += r) < (int)sizeof s->connack) break; /* the rest may be buffered already */
            if (s->connack[0] != 0x20 || s->connack[3] != 0) return fail(s, "MQTT CONNACK (refused)", 0);
            s->state = MQTT_DISCONNECT;
            break;
        case MQTT_DISCONNECT: {
            static const unsigned char disconnect[2] = {0xE0, 0};
            if ((r = wolfSSL_write(s->ssl, disconnect, sizeof disconnect)) != (int)sizeof disconnect)
                return wait_or_fail(s, r, "MQTT DISCONNECT");
            return verdict(s, 1); /* CONNACK's return code 0 was the verdict */
        }
        case DONE:
            return 0;
        }
    }
    return fail(s, "too many state changes", 0); /* not reached: see MAX_HOPS */
}

/* Starts connection n in slot s: a WOLFSSL from the shared context with the device's chain and key
 * from memory, SNI + domain check, a ticket offer (fleetsim offers them in TLS 1.2 too), and a
 * non-blocking connect. Returns as step() does. */
static int start(slot_t *s, int n, long long now) {
    static const int one = 1;
    *s = (slot_t){.active = 1, .n = n, .fd = -1, .state = CONNECTING, .deadline = now + CONNECTION_MS};
    if (!(s->ssl = wolfSSL_new(ctx))) return fail(s, "wolfSSL_new", 0);
    if (wolfSSL_use_certificate_chain_buffer(s->ssl, chain, chain_len) != WOLFSSL_SUCCESS ||
        wolfSSL_use_PrivateKey_buffer(s->ssl, key, key_len, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
        wolfSSL_UseSNI(s->ssl, WOLFSSL_SNI_HOST_NAME, cfg.name, (unsigned short)strlen(cfg.name)) != WOLFSSL_SUCCESS ||
        wolfSSL_check_domain_name(s->ssl, cfg.name) != WOLFSSL_SUCCESS)
        return fail(s, "set-up (chain, key, SNI)", 0);
    wolfSSL_UseSessionTicket(s->ssl);
    wolfSSL_set_SessionTicket_cb(s->ssl, on_ticket, &s->ticket);
    if (cfg.mqtt) { /* MQTT 3.1.1 CONNECT: clean session, keep-alive 60 s, client id c-client-N */
        int idlen = snprintf((char *)s->connect_pkt + 14, sizeof s->connect_pkt - 14, "c-client-%d", n);
        static const unsigned char head[14] = {0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 0};
        memcpy(s->connect_pkt, head, sizeof head);
        s->connect_pkt[1] = (unsigned char)(12 + idlen), s->connect_pkt[13] = (unsigned char)idlen;
        s->connect_len = 14 + idlen;
    }
    if ((s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0) return fail(s, "socket", 0);
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as SwiftNIO's client bootstrap */
    if (wolfSSL_set_fd(s->ssl, s->fd) != WOLFSSL_SUCCESS) return fail(s, "wolfSSL_set_fd", 0);
    if (connect(s->fd, (const struct sockaddr *)&server, sizeof server) == 0) s->state = HANDSHAKE;
    else if (errno != EINPROGRESS) return fail(s, "connect", 0);
    return s->state == CONNECTING ? POLLOUT : step(s, now);
}

/* Ends the slot's connection: close_notify once the handshake completed (not waiting for the
 * peer's), the counts, the first failure's message, wolfSSL_free, close. */
static void finish(work_t *w, slot_t *s) {
    if (s->handshaken) wolfSSL_shutdown(s->ssl);
    if (s->verdict) w->ok++; else w->failed++;
    w->silent += s->verdict == 2;
    if (!s->verdict && !__atomic_exchange_n(&first_error_printed, 1, __ATOMIC_RELAXED)) {
        char text[WOLFSSL_MAX_ERROR_SZ] = "no wolfSSL error";
        if (s->ssl_error) wolfSSL_ERR_error_string((unsigned long)s->ssl_error, text);
        fprintf(stderr, "wolfssl-device: connection %d failed at %s (first failure shown): %s, errno %s\n", s->n,
                s->failed_at, text, s->sys_errno ? strerror(s->sys_errno) : "0");
    }
    if (s->ssl) wolfSSL_free(s->ssl);
    if (s->fd >= 0) close(s->fd);
    s->active = 0, s->ssl = NULL, s->fd = -1;
}

/* Moves a slot on after a wake-up or an expiry: steps its connection; once that has its verdict,
 * ends it and starts the worker's next one, until the slot waits on a socket or the worker has
 * no connection left to start. Then sets what poll watches for the slot (fd -1: nothing). */
static void drive(work_t *w, slot_t *s, struct pollfd *p, long long now) {
    int wants = s->active ? step(s, now) : 0;
    for (int k = 0; !wants && k <= w->n; k++) { /* bounded: each pass ends or starts a connection */
        if (s->active) finish(w, s);
        if (w->started == w->n) break;
        w->started++;
        wants = start(s, w->first + w->started, now);
    }
    p->fd = wants ? s->fd : -1, p->events = (short)wants, p->revents = 0;
}

/* When the slot's connection runs out of time: its budget, or in the TLS 1.3 verdict its silence. */
static long long wake_at(const slot_t *s) {
    return s->state == VERDICT && s->quiet_until < s->deadline ? s->quiet_until : s->deadline;
}

static void *worker(void *arg) {
    work_t *w = arg;
    slot_t *slots = calloc(w->slots, sizeof *slots);
    struct pollfd *polls = calloc(w->slots, sizeof *polls);
    if (!slots || !polls) die("out of memory");
    long long now = now_ms();
    for (int i = 0; i < w->slots; i++) drive(w, &slots[i], &polls[i], now);
    /* The loop is bounded: every pass either hands a wake-up to a connection (MAX_WAKEUPS at most
     * each) or ends one whose time is up (poll's timeout is the nearest wake_at, and a poll timeout
     * never ends early), so more passes than that are a bug, not a slow server. */
    long long max_passes = (long long)w->n * (MAX_WAKEUPS + 2);
    for (long long pass = 0; w->ok + w->failed < w->n; pass++) {
        if (pass > max_passes) die("event loop: no progress (bug)");
        long long wake = LLONG_MAX;
        for (int i = 0; i < w->slots; i++)
            if (slots[i].active && wake_at(&slots[i]) < wake) wake = wake_at(&slots[i]);
        long long wait = wake - now < 0 ? 0 : wake - now > CONNECTION_MS ? CONNECTION_MS : wake - now;
        if (poll(polls, (nfds_t)w->slots, (int)wait) < 0 && errno != EINTR) die("poll");
        now = now_ms();
        for (int i = 0; i < w->slots; i++) {
            slot_t *s = &slots[i];
            if (!s->active) continue;
            if (polls[i].revents) { /* readable, writable, or an error the next wolfSSL call reports */
                if (++s->wakeups > MAX_WAKEUPS) fail(s, "too many wake-ups", 0);
            } else if (now >= wake_at(s)) {
                if (s->state == VERDICT && now >= s->quiet_until) verdict(s, 2); /* accepted by silence */
                else { errno = ETIMEDOUT; fail(s, "timeout", 0); }
            } else {
                continue;
            }
            drive(w, s, &polls[i], now);
        }
    }
    free(slots);
    free(polls);
#if defined(FP_ECC) && defined(HAVE_THREAD_LS)
    wc_ecc_fp_free(); /* this thread's ECC fixed-point cache */
#endif
    return NULL;
}

int main(int argc, char **argv) {
    const char *ca = NULL, *cert = NULL, *keyfile = NULL;
    static const char *usage = "usage: wolfssl-device --port P --ca FILE --cert CHAIN.pem --key FILE [--host IPv4]\n"
        "  [--server-name NAME] [--tls 1.2|1.3] [--count 1..1000000] [--concurrency 1..1024]\n"
        "  [--threads 1..64 (default: one per core)] [--mqtt]";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--mqtt")) { cfg.mqtt = 1; continue; }
        if (!v) die(usage);
        i++;
        if (!strcmp(a, "--host")) cfg.host = v;
        else if (!strcmp(a, "--port")) cfg.port = bounded(v, 1, 65535, a);
        else if (!strcmp(a, "--ca")) ca = v;
        else if (!strcmp(a, "--cert")) cert = v;
        else if (!strcmp(a, "--key")) keyfile = v;
        else if (!strcmp(a, "--server-name")) cfg.name = v;
        else if (!strcmp(a, "--tls") && (!strcmp(v, "1.2") || !strcmp(v, "1.3"))) cfg.tls13 = v[2] == '3';
        else if (!strcmp(a, "--count")) cfg.count = bounded(v, 1, 1000000, a);
        else if (!strcmp(a, "--concurrency")) cfg.concurrency = bounded(v, 1, 1024, a);
        else if (!strcmp(a, "--threads")) cfg.threads = bounded(v, 1, 64, a);
        else die(usage);
    }
    server = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(cfg.port)};
    if (!cfg.port || !ca || !cert || !keyfile || inet_pton(AF_INET, cfg.host, &server.sin_addr) != 1)
        die("--port, --ca, --cert and --key are required; --host is an IPv4 address");
    if (!cfg.threads) { /* one per core, as fleetsim's event loops */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.threads = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
    }
    if (cfg.concurrency > cfg.count) cfg.concurrency = cfg.count;
    if (cfg.threads > cfg.concurrency) cfg.threads = cfg.concurrency; /* no worker without a slot */
    signal(SIGPIPE, SIG_IGN); /* a peer that closed first is an error from wolfSSL, not a signal */

    long ca_len;
    unsigned char *ca_pem = slurp(ca, &ca_len);
    chain = slurp(cert, &chain_len);
    key = slurp(keyfile, &key_len);
    wolfSSL_Init();
    ctx = wolfSSL_CTX_new(cfg.tls13 ? wolfTLSv1_3_client_method() : wolfTLSv1_2_client_method());
    if (!ctx || wolfSSL_CTX_load_verify_buffer(ctx, ca_pem, ca_len, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
        wolfSSL_CTX_set_cipher_list(ctx, SUITES) != WOLFSSL_SUCCESS)
        die("could not set up the context (CA file or cipher list)");
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
    /* Non-blocking means WANT_READ straight back to the loop: builds with the OpenSSL-compatible
     * defaults (Debian's) otherwise retry recv() up to 10 times on EAGAIN during the handshake. */
    wolfSSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);
    wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_SECP256R1);
    wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_SECP384R1);
    wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_X25519);

    /* Worker t: an even share of the slots and of the connections (slots <= connections, as
     * concurrency <= count). */
    work_t *work = calloc(cfg.threads, sizeof *work);
    pthread_t *tid = calloc(cfg.threads, sizeof *tid);
    if (!work || !tid) die("out of memory");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int t = 0, first = 0; t < cfg.threads; first += work[t++].n) {
        work[t].first = first;
        work[t].n = cfg.count / cfg.threads + (t < cfg.count % cfg.threads);
        work[t].slots = cfg.concurrency / cfg.threads + (t < cfg.concurrency % cfg.threads);
        if (pthread_create(&tid[t], NULL, worker, &work[t])) die("pthread_create");
    }
    int ok = 0, failed = 0, silent = 0;
    for (int t = 0; t < cfg.threads; t++) {
        pthread_join(tid[t], NULL);
        ok += work[t].ok, failed += work[t].failed, silent += work[t].silent;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    double cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    printf("handshakes=%d failures=%d by_silence=%d wall_s=%.3f cpu_s=%.3f cpu_us_per_handshake=%.0f handshakes_per_s=%.1f"
           " threads=%d concurrency=%d\n",
           ok, failed, silent, wall, cpu, ok ? cpu / ok * 1e6 : 0.0, wall > 0 ? ok / wall : 0.0, cfg.threads,
           cfg.concurrency);
    wolfSSL_CTX_free(ctx);
    wolfSSL_Cleanup();
    free(work);
    free(tid);
    free(ca_pem);
    free(chain);
    free(key);
    return failed ? 1 : 0;
}
