/* wolfssl-device.c: the C reference for bench/device-cost.sh (issue #18). A plain wolfSSL client
 * that does, per connection, what one fleetsim device does, so fleetsim's client CPU per
 * handshake can be put next to what the same library costs with no simulator around it.
 *
 * Once at start: the CA, the device's PEM chain and PEM key are read into memory; one WOLFSSL_CTX
 * (TLS 1.2 or 1.3 only, verify peer, fleetsim's default groups and suites). Per connection:
 * wolfSSL_new, chain + key from the buffers, SNI + wolfSSL_check_domain_name, blocking connect to
 * HOST:PORT, wolfSSL_connect, then the server's verdict:
 *   - TLS 1.2: the handshake completing is the verdict (the server's Finished follows its check);
 *   - TLS 1.3: the server judges the client certificate after the client's Finished, so the client
 *     waits (non-blocking, poll) for its first record: a NewSessionTicket, data or close_notify
 *     accepts, an alert refuses, SILENCE_MS of silence accepts too (counted as "by_silence"), as
 *     fleetsim's default quiet period (at least 250 ms) does;
 *   - --mqtt: MQTT 3.1.1 CONNECT (client id c-client-N), wait for CONNACK (accepted = return code
 *     0), DISCONNECT. CONNACK is the verdict, as in `fleetsim run --protocol mqtt`.
 * then wolfSSL_shutdown (close_notify, not waiting for the peer's), wolfSSL_free, close.
 * --concurrency C runs C pthreads, each doing its share of --count sequentially. The last line is
 * machine-readable; CPU is getrusage(RUSAGE_SELF) user+sys of the whole run / successes.
 *
 * Build: gcc -std=c99 -O2 -o wolfssl-device wolfssl-device.c $(pkg-config --cflags --libs wolfssl) -lpthread */
#define _GNU_SOURCE
#include <wolfssl/options.h> /* first: the library's feature macros (struct layouts depend on them) */
#include <wolfssl/ssl.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* fleetsim's defaults (FleetTLS/TLSConfiguration.swift): P-256 first, not wolfSSL's secp521r1. */
#define SILENCE_MS 250 /* fleetsim's --tls-accept quiet-period auto: 4 x TCP round trip, at least 250 ms */

static const char *SUITES =
    "TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256:TLS13-AES128-CCM-SHA256:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-CCM:ECDHE-ECDSA-AES256-CCM:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:"
    "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
    "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

static struct { const char *host, *name; int port, tls13, count, threads, mqtt; } cfg = {"127.0.0.1", "localhost", 0, 1, 100, 1, 0};
static WOLFSSL_CTX *ctx;
static unsigned char *chain, *key;
static long chain_len, key_len;
static int first_error_printed; /* only the first failure is described on stderr */

typedef struct { int first, n, ok, failed, silent; } work_t;

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

static int on_ticket(WOLFSSL *ssl, const unsigned char *t, int len, void *flag) {
    (void)ssl; (void)t; (void)len; *(int *)flag = 1; return 0;
}

/* Writes all of buf, or reads exactly len bytes (blocking socket, SO_RCVTIMEO bounds the wait). */
static int ssl_write_all(WOLFSSL *ssl, const void *buf, int len) { return wolfSSL_write(ssl, buf, len) == len; }
static int ssl_read_exact(WOLFSSL *ssl, unsigned char *buf, int len) {
    for (int got = 0, r; got < len; got += r)
        if ((r = wolfSSL_read(ssl, buf + got, len - got)) <= 0) return 0;
    return 1;
}

/* MQTT 3.1.1: CONNECT (clean session, keep-alive 60 s) → CONNACK code 0 → DISCONNECT. */
static int mqtt_exchange(WOLFSSL *ssl, int n) {
    char id[32]; int idlen = snprintf(id, sizeof id, "c-client-%d", n);
    unsigned char pkt[64] = {0x10, (unsigned char)(12 + idlen), 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, (unsigned char)idlen};
    memcpy(pkt + 14, id, idlen);
    unsigned char ack[4];
    static const unsigned char disconnect[2] = {0xE0, 0};
    return ssl_write_all(ssl, pkt, 14 + idlen) && ssl_read_exact(ssl, ack, 4) && ack[0] == 0x20 && ack[3] == 0 &&
           ssl_write_all(ssl, disconnect, 2);
}

/* TLS 1.3 verdict: 1 accepted (ticket, data or close_notify), 2 accepted by silence, 0 refused
 * (an alert or an error). Non-blocking from here on; wolfSSL_read processes the ticket records. */
static int tls13_verdict(WOLFSSL *ssl, int fd, const int *ticket) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct pollfd p = {fd, POLLIN, 0};
    unsigned char byte;
    for (int rounds = 0; rounds < 16; rounds++) { /* bounded: a ticket takes one or two records */
        int r = wolfSSL_read(ssl, &byte, 1), e = wolfSSL_get_error(ssl, r);
        if (r > 0 || e == WOLFSSL_ERROR_ZERO_RETURN || *ticket) return 1;
        if (e != WOLFSSL_ERROR_WANT_READ) return 0;
        if (poll(&p, 1, SILENCE_MS) <= 0) return 2;
    }
    return 2;
}

static int one_device(int n, work_t *w) {
    int ticket = 0, verdict = 0, fd = -1;
    WOLFSSL *ssl = wolfSSL_new(ctx);
    if (!ssl) return 0;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg.port)};
    struct timeval limit = {5, 0}; /* no read or write waits longer than 5 s */
    int one = 1;
    inet_pton(AF_INET, cfg.host, &addr.sin_addr);
    if (wolfSSL_use_certificate_chain_buffer(ssl, chain, chain_len) != WOLFSSL_SUCCESS ||
        wolfSSL_use_PrivateKey_buffer(ssl, key, key_len, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
        wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, cfg.name, (unsigned short)strlen(cfg.name)) != WOLFSSL_SUCCESS ||
        wolfSSL_check_domain_name(ssl, cfg.name) != WOLFSSL_SUCCESS)
        goto done;
    wolfSSL_UseSessionTicket(ssl); /* fleetsim offers tickets in TLS 1.2 too */
    wolfSSL_set_SessionTicket_cb(ssl, on_ticket, &ticket);
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) goto done;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* as SwiftNIO's client bootstrap */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) || wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS) goto done;
    if (wolfSSL_connect(ssl) != WOLFSSL_SUCCESS) goto done;
    verdict = cfg.mqtt ? mqtt_exchange(ssl, n) : cfg.tls13 ? tls13_verdict(ssl, fd, &ticket) : 1;
    wolfSSL_shutdown(ssl);
done:
    if (!verdict && !__atomic_exchange_n(&first_error_printed, 1, __ATOMIC_RELAXED)) {
        char text[80];
        fprintf(stderr, "wolfssl-device: connection %d failed (first failure shown): %s, errno %s\n", n,
                wolfSSL_ERR_error_string(wolfSSL_get_error(ssl, 0), text), strerror(errno));
    }
    w->silent += verdict == 2;
    wolfSSL_free(ssl);
    if (fd >= 0) close(fd);
    return verdict != 0;
}

static void *worker(void *arg) {
    work_t *w = arg;
    for (int i = 0; i < w->n; i++) one_device(w->first + i + 1, w) ? w->ok++ : w->failed++;
    return NULL;
}

int main(int argc, char **argv) {
    const char *ca = NULL, *cert = NULL, *keyfile = NULL;
    static const char *usage = "usage: wolfssl-device --port P --ca FILE --cert CHAIN.pem --key FILE [--host IPv4]\n"
        "  [--server-name NAME] [--tls 1.2|1.3] [--count 1..1000000] [--concurrency 1..1024] [--mqtt]";
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
        else if (!strcmp(a, "--concurrency")) cfg.threads = bounded(v, 1, 1024, a);
        else die(usage);
    }
    struct in_addr check;
    if (!cfg.port || !ca || !cert || !keyfile || inet_pton(AF_INET, cfg.host, &check) != 1)
        die("--port, --ca, --cert and --key are required; --host is an IPv4 address");
    if (cfg.threads > cfg.count) cfg.threads = cfg.count;

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
    wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_SECP256R1);
    wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_SECP384R1);
    wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_X25519);

    work_t *work = calloc(cfg.threads, sizeof *work);
    pthread_t *tid = calloc(cfg.threads, sizeof *tid);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int t = 0, first = 0; t < cfg.threads; first += work[t++].n) {
        work[t].first = first;
        work[t].n = cfg.count / cfg.threads + (t < cfg.count % cfg.threads);
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
    printf("handshakes=%d failures=%d by_silence=%d wall_s=%.3f cpu_s=%.3f cpu_us_per_handshake=%.0f handshakes_per_s=%.1f\n",
           ok, failed, silent, wall, cpu, ok ? cpu / ok * 1e6 : 0.0, wall > 0 ? ok / wall : 0.0);
    wolfSSL_CTX_free(ctx);
    wolfSSL_Cleanup();
    return failed ? 1 : 0;
}
