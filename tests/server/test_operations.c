/* Running the server for months: health, readiness, metrics, the access log,
 * reloads under load, slow clients, and graceful shutdown. Every load here is
 * bounded in count and time, on loopback only. */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define SAMPLE_DIR PR_TEST_DIR "/../data/sample"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = '\0';
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* Writes a file whole and renames it into place, so a reload never reads
 * half of it. */
static void put_file(const char *dir, const char *name, const char *data, size_t len)
{
    char tmp[512], final[512];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(final, sizeof final, "%s/%s", dir, name);
    FILE *f = fopen(tmp, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(rename(tmp, final), 0);
}

static void remove_dir(const char *dir)
{
    char path[512];
    const char *names[] = {"service-names-port-numbers.csv", "contacts.csv", "registry-updated"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* Two data sets that differ in one record: the sample, and the sample with
 * nut's tcp description changed. */
typedef struct datasets {
    char *records_a, *records_b, *contacts;
    size_t records_a_len, records_b_len, contacts_len;
} datasets;

static void make_datasets(datasets *d)
{
    d->records_a = slurp(SAMPLE_DIR "/service-names-port-numbers.csv", &d->records_a_len);
    d->contacts = slurp(SAMPLE_DIR "/contacts.csv", &d->contacts_len);
    const char *needle = "nut,3493,tcp,Network UPS Tools,";
    char *at = strstr(d->records_a, needle);
    cr_assert_not_null(at, "the sample has nut on 3493/tcp");
    const char *insert = " (variant B)";
    size_t head = (size_t)(at - d->records_a) + strlen("nut,3493,tcp,Network UPS Tools");
    d->records_b_len = d->records_a_len + strlen(insert);
    d->records_b = malloc(d->records_b_len + 1);
    memcpy(d->records_b, d->records_a, head);
    memcpy(d->records_b + head, insert, strlen(insert));
    memcpy(d->records_b + head + strlen(insert), d->records_a + head, d->records_a_len - head + 1);
}

/* Makes the directory from its mkdtemp template and puts data set A in it. */
static void fill_with_a(char *dir, const datasets *d)
{
    cr_assert_not_null(mkdtemp(dir));
    put_file(dir, "contacts.csv", d->contacts, d->contacts_len);
    put_file(dir, "service-names-port-numbers.csv", d->records_a, d->records_a_len);
}

static void free_datasets(datasets *d)
{
    free(d->records_a);
    free(d->records_b);
    free(d->contacts);
}

/* ---- health, readiness, metrics, access log ---- */

Test(operations, health_readiness_and_metrics)
{
    server s;
    server_start(&s, NULL);
    http_response r;
    http_request(s.port, "GET", "/healthz", NULL, &r);
    cr_assert_eq(r.status, 200);
    json_t *j = http_json(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "alive");
    json_decref(j);
    http_response_free(&r);

    http_request(s.port, "GET", "/readyz", NULL, &r);
    cr_assert_eq(r.status, 200);
    j = http_json(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "ready");
    cr_assert_eq(json_integer_value(json_object_get(j, "records")), 14533,
                 "with no --data, the built-in registry");
    json_decref(j);
    char v[128];
    cr_assert_str_eq(http_header(&r, "Cache-Control", v, sizeof v), "no-store");
    http_response_free(&r);

    for (int i = 0; i < 3; i++) {
        http_request(s.port, "GET", "/v1/ports/22", NULL, &r);
        http_response_free(&r);
    }
    http_request(s.port, "GET", "/v1/ports/22", "If-None-Match: *\r\n", &r);
    cr_assert_eq(r.status, 304);
    http_response_free(&r);

    http_request(s.port, "GET", "/metrics", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(http_header(&r, "Content-Type", v, sizeof v),
                     "text/plain; version=0.0.4; charset=utf-8");
    cr_assert(strstr(r.body, "portreg_http_requests_total{route=\"port\",status=\"200\"} 3\n"),
              "%s", r.body);
    cr_assert(strstr(r.body, "portreg_http_requests_total{route=\"port\",status=\"304\"} 1\n"));
    cr_assert(strstr(r.body, "portreg_http_not_modified_total 1\n"));
    cr_assert(strstr(r.body, "portreg_registry_records 14533\n"));
    /* 2026-08-17T00:00:00Z, the built-in registry's date */
    cr_assert(strstr(r.body, "# TYPE portreg_registry_updated_timestamp_seconds gauge\n"
                             "portreg_registry_updated_timestamp_seconds 1786924800\n"),
              "%s", r.body);
    cr_assert(strstr(r.body, "portreg_reloads_total 0\n"));
    cr_assert(strstr(r.body, "portreg_http_open_connections "));
    cr_assert(strstr(r.body, "portreg_http_request_duration_seconds_bucket{le=\"+Inf\"} "));

    /* a real Prometheus text-format parser must accept it */
    if (access("/usr/bin/promtool", X_OK) == 0) {
        char path[] = "/tmp/portreg-metrics-XXXXXX";
        int fd = mkstemp(path);
        cr_assert_eq(write(fd, r.body, r.body_len), (ssize_t)r.body_len);
        close(fd);
        char cmd[256];
        snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
        int status = system(cmd);
        unlink(path);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "promtool rejected /metrics");
    } else {
        cr_log_warn("promtool (Debian's prometheus package) is absent: /metrics not parsed");
    }
    http_response_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

Test(operations, access_log_plain_and_json)
{
    server s;
    const char *plain[] = {"--log-format", "plain", NULL};
    server_start(&s, plain);
    http_response r;
    http_request(s.port, "GET", "/v1/ports/3493", NULL, &r);
    char etag[64], hdr[128];
    snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", http_header(&r, "ETag", etag, sizeof etag));
    http_response_free(&r);
    http_request(s.port, "GET", "/v1/ports/3493", hdr, &r);
    http_response_free(&r);
    /* a path cannot forge a log line: the newline is escaped */
    http_record(false);
    http_request(s.port, "GET", "/v1/services/evil%0A2026-01-01%20forged", NULL, &r);
    http_record(true);
    http_response_free(&r);
    char *log = server_log(&s);
    cr_assert(strstr(log, " access GET /v1/ports/3493 200 "), "%s", log);
    cr_assert(strstr(log, " miss\n"), "%s", log);
    cr_assert(strstr(log, " access GET /v1/ports/3493 304 0 "), "%s", log);
    cr_assert(strstr(log, " hit\n"), "%s", log);
    cr_assert(strstr(log, "/v1/services/evil\\x0a2026-01-01\\x20forged 404"), "%s", log);
    cr_assert_null(strstr(log, "\n2026-01-01 forged"));
    free(log);
    cr_assert_eq(server_stop(&s), 0);

    const char *json[] = {"--log-format", "json", NULL};
    server_start(&s, json);
    http_request(s.port, "GET", "/v1/services/nut", NULL, &r);
    http_response_free(&r);
    log = server_log(&s);
    size_t lines = 0;
    bool found = false;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);
        cr_assert_not_null(j, "not JSON: %s", line);
        const char *path = json_string_value(json_object_get(j, "path"));
        if (path && !strcmp(path, "/v1/services/nut")) {
            found = true;
            cr_assert_eq(json_integer_value(json_object_get(j, "status")), 200);
            cr_assert_gt(json_integer_value(json_object_get(j, "bytes")), 0);
            cr_assert_str_eq(json_string_value(json_object_get(j, "etag")), "miss");
        }
        json_decref(j);
    }
    cr_assert(found && lines >= 2, "%zu lines", lines);
    free(log);
    cr_assert_eq(server_stop(&s), 0);

    const char *off[] = {"--access-log", "off", NULL};
    server_start(&s, off);
    http_request(s.port, "GET", "/v1/services/nut", NULL, &r);
    http_response_free(&r);
    log = server_log(&s);
    cr_assert_null(strstr(log, "/v1/services/nut"), "%s", log);
    free(log);
    cr_assert_eq(server_stop(&s), 0);
}

/* Issue 13: a 4 KB method, or 700 control bytes in one, overflowed the
 * access-log line and killed the process; a path that is not UTF-8 made a
 * JSON line that is not JSON. Each request is answered, the server lives on,
 * and every line of its log is one JSON object. */
Test(operations, hostile_requests_in_the_json_log)
{
    server s;
    const char *json[] = {"--log-format", "json", NULL};
    server_start(&s, json);
    static char req[8192], out[8192];
    size_t len = 0;
    memset(req, 'X', 4060);
    len = 4060;
    len += (size_t)snprintf(req + len, sizeof req - len, " / HTTP/1.1\r\nHost: x\r\n\r\n");
    int long_method = http_raw(s.port, req, len, out, sizeof out);
    for (len = 0; len < 700; len++)
        req[len] = (char)(1 + len % 8); /* no tab, newline or carriage return */
    len += (size_t)snprintf(req + len, sizeof req - len, " / HTTP/1.1\r\nHost: x\r\n\r\n");
    int control_method = http_raw(s.port, req, len, out, sizeof out);
    http_record(false);
    http_response r;
    http_request(s.port, "GET", "/v1/services/%FFx", NULL, &r);
    cr_assert_eq(r.status, 404);
    http_response_free(&r);
    http_record(true);
    http_request(s.port, "GET", "/v1/ports/3493", NULL, &r);
    cr_assert_eq(r.status, 200, "the server still answers");
    http_response_free(&r);
    char *log = server_log(&s);
    size_t lines = 0;
    bool long_logged = false, not_utf8_logged = false;
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"), lines++) {
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);
        cr_assert_not_null(j, "not JSON (%s): %.300s", err.text, line);
        cr_assert_leq(strlen(line), 4096);
        const char *method = json_string_value(json_object_get(j, "method"));
        const char *path = json_string_value(json_object_get(j, "path"));
        if (method && !strncmp(method, "XXXXXXXX", 8)) {
            long_logged = true;
            cr_assert(json_is_true(json_object_get(j, "truncated")), "%s", line);
        }
        if (path && !strcmp(path, "/v1/services/\xef\xbf\xbdx"))
            not_utf8_logged = true;
        json_decref(j);
    }
    free(log);
    cr_assert(long_logged, "the long method's request is logged (answered %d)", long_method);
    cr_assert(not_utf8_logged, "the path's byte 0xff is logged as U+FFFD");
    cr_assert_geq(lines, 5);
    (void)control_method; /* answered or refused: either way, logged without harm */
    cr_assert_eq(server_stop(&s), 0);
}

/* ---- reloads under load ---- */

typedef struct load {
    uint16_t port;
    const char *port_a, *port_b, *registry_a, *registry_b; /* the bodies either set gives */
    atomic_bool stop;
    atomic_int failures, seen_a, seen_b, answers;
    char failure[512];
} load;

static void *client(void *arg)
{
    load *l = arg;
    int fd = http_connect(l->port);
    double deadline = now() + 20;
    for (int i = 0; i < 4000 && !atomic_load(&l->stop) && now() < deadline; i++) {
        const char *target = i % 2 ? "/v1/registry" : "/v1/ports/3493";
        http_response r;
        if (!http_send(fd, "GET", target, NULL, &r)) {
            close(fd);
            fd = http_connect(l->port);
            if (!http_send(fd, "GET", target, NULL, &r)) {
                atomic_fetch_add(&l->failures, 1);
                snprintf(l->failure, sizeof l->failure, "%s: no answer", target);
                continue;
            }
        }
        const char *a = i % 2 ? l->registry_a : l->port_a, *b = i % 2 ? l->registry_b : l->port_b;
        if (r.status != 200 || (strcmp(r.body, a) && strcmp(r.body, b))) {
            atomic_fetch_add(&l->failures, 1);
            snprintf(l->failure, sizeof l->failure, "%s: %d %.300s", target, r.status, r.body);
        } else {
            atomic_fetch_add(!strcmp(r.body, a) ? &l->seen_a : &l->seen_b, 1);
        }
        atomic_fetch_add(&l->answers, 1);
        if (r.closed) {
            close(fd);
            fd = http_connect(l->port);
        }
        http_response_free(&r);
    }
    close(fd);
    return NULL;
}

static char *body_of(uint16_t port, const char *target)
{
    http_response r;
    http_request(port, "GET", target, NULL, &r);
    cr_assert_eq(r.status, 200);
    char *body = strdup(r.body);
    http_response_free(&r);
    return body;
}

/* Waits until /metrics counts the given reloads and failures (each at
 * most 10 s), without failing the test from here: a test thread may be
 * mid-load, so the caller checks the counts once its threads are joined. */
static void wait_reloads(uint16_t port, int done, int failed)
{
    char want_done[64], want_failed[64];
    snprintf(want_done, sizeof want_done, "portreg_reloads_total %d\n", done);
    snprintf(want_failed, sizeof want_failed, "portreg_reload_failures_total %d\n", failed);
    double deadline = now() + 10;
    while (now() < deadline) {
        http_response r;
        int fd = http_connect(port);
        bool ok = http_send(fd, "GET", "/metrics", NULL, &r);
        close(fd);
        bool reached = ok && strstr(r.body, want_done) && strstr(r.body, want_failed);
        if (ok)
            http_response_free(&r);
        if (reached)
            return;
        sleep_ms(5);
    }
}

Test(operations, reloads_under_load_lose_nothing)
{
    datasets d;
    make_datasets(&d);
    char dir[] = "/tmp/portreg-reload-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    put_file(dir, "contacts.csv", d.contacts, d.contacts_len);

    /* what each data set answers, from a server of its own */
    put_file(dir, "service-names-port-numbers.csv", d.records_b, d.records_b_len);
    const char *args[] = {"--data", dir, "--access-log", "off", NULL};
    server s;
    server_start(&s, args);
    char *port_b = body_of(s.port, "/v1/ports/3493"), *registry_b = body_of(s.port, "/v1/registry");
    cr_assert_eq(server_stop(&s), 0);
    put_file(dir, "service-names-port-numbers.csv", d.records_a, d.records_a_len);
    server_start(&s, args);
    char *port_a = body_of(s.port, "/v1/ports/3493"), *registry_a = body_of(s.port, "/v1/registry");
    cr_assert_str_neq(port_a, port_b);

    load l = {.port = s.port,
              .port_a = port_a,
              .port_b = port_b,
              .registry_a = registry_a,
              .registry_b = registry_b};
    http_record(false); /* thousands of the same two answers add nothing to the spec check */
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, client, &l);
    /* 20 reloads alternating the two sets, and one of a broken file. Signals
     * sent while a reload runs merge into one, so each reload is awaited. */
    bool old_data_kept = true;
    for (int i = 1; i <= 20; i++) {
        sleep_ms(40);
        if (i == 11) {
            put_file(dir, "service-names-port-numbers.csv", "Service Name\r\nbroken\r\n", 22);
            kill(s.pid, SIGHUP);
            wait_reloads(s.port, i - 1, 1);
            /* set A, loaded at i == 10, still serves */
            char *now_serving = body_of(s.port, "/v1/registry");
            old_data_kept = !strcmp(now_serving, registry_a);
            free(now_serving);
        }
        bool b = i % 2;
        put_file(dir, "service-names-port-numbers.csv", b ? d.records_b : d.records_a,
                 b ? d.records_b_len : d.records_a_len);
        kill(s.pid, SIGHUP);
        wait_reloads(s.port, i, i > 10);
        /* on a busy machine the clients may get no turn in a 40 ms window:
         * a set B stays until one of them has seen it (or 2 s pass) */
        int seen = atomic_load(&l.seen_b);
        for (int waited = 0; b && waited < 2000 && atomic_load(&l.seen_b) == seen; waited += 5)
            sleep_ms(5);
    }
    sleep_ms(100);
    atomic_store(&l.stop, true);
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    http_record(true);

    cr_assert(old_data_kept, "a failed reload must leave the old data serving");
    cr_assert_eq(atomic_load(&l.failures), 0, "%d failures, e.g. %s", atomic_load(&l.failures),
                 l.failure);
    cr_assert_gt(atomic_load(&l.answers), 200, "the clients ran");
    cr_assert_gt(atomic_load(&l.seen_a), 0);
    cr_assert_gt(atomic_load(&l.seen_b), 0, "reloads took effect under load");
    http_response r;
    http_request(s.port, "GET", "/metrics", NULL, &r);
    cr_assert(strstr(r.body, "portreg_reloads_total 20\n"), "%s", r.body);
    cr_assert(strstr(r.body, "portreg_reload_failures_total 1\n"), "%s", r.body);
    http_response_free(&r);
    char *log = server_log(&s);
    cr_assert(
        strstr(log, "service-names-port-numbers.csv:1: header: missing column \"Port Number\""),
        "the failed reload names file, line and field: %s", log);
    free(log);
    cr_assert_eq(server_stop(&s), 0);
    free(port_a);
    free(port_b);
    free(registry_a);
    free(registry_b);
    remove_dir(dir);
    free_datasets(&d);
}

Test(operations, etags_change_when_and_only_when_content_does)
{
    datasets d;
    make_datasets(&d);
    char dir[] = "/tmp/portreg-etag-XXXXXX";
    fill_with_a(dir, &d);
    const char *args[] = {"--data", dir, NULL};
    server s;
    server_start(&s, args);
    const char *changes = "/v1/ports/3493", *stays = "/v1/ports/22";
    char before_changes[64], before_stays[64], after[64];
    http_response r;
    http_request(s.port, "GET", changes, NULL, &r);
    http_header(&r, "ETag", before_changes, sizeof before_changes);
    http_response_free(&r);
    http_request(s.port, "GET", stays, NULL, &r);
    http_header(&r, "ETag", before_stays, sizeof before_stays);
    http_response_free(&r);

    put_file(dir, "service-names-port-numbers.csv", d.records_b, d.records_b_len);
    kill(s.pid, SIGHUP);
    double deadline = now() + 5;
    do {
        sleep_ms(20);
        http_request(s.port, "GET", changes, NULL, &r);
        http_header(&r, "ETag", after, sizeof after);
        http_response_free(&r);
    } while (!strcmp(after, before_changes) && now() < deadline);
    cr_assert_str_neq(after, before_changes, "the record changed, so must its port's ETag");
    http_request(s.port, "GET", stays, NULL, &r);
    cr_assert_str_eq(http_header(&r, "ETag", after, sizeof after), before_stays,
                     "an unchanged answer keeps its ETag across a reload");
    http_response_free(&r);
    cr_assert_eq(server_stop(&s), 0);
    remove_dir(dir);
    free_datasets(&d);
}

/* ---- slow and idle clients ---- */

/* Has the server closed this connection (EOF) within wait_ms? */
static bool closed_by_server(int fd, int wait_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;
    return poll(&p, 1, wait_ms) == 1 && recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

Test(operations, slow_clients_do_not_hold_the_server)
{
    server s;
    /* a 3 s timeout: a byte a second, and a normal request between, keep
     * the slow sender within it even on a busy machine */
    const char *args[] = {"--timeout", "3", "--access-log", "off", NULL};
    server_start(&s, args);
    int idle[40];
    for (int i = 0; i < 40; i++)
        idle[i] = http_connect(s.port);
    int dribble = http_connect(s.port);
    const char *slow = "GET /v1/ports/22 HTTP/1.1\r\nHost: x\r\n";
    double start = now();
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(send(dribble, slow + i, 1, MSG_NOSIGNAL), 1);
        /* meanwhile an ordinary client is served at once */
        double t = now();
        http_response r;
        http_request(s.port, "GET", "/v1/ports/3493", NULL, &r);
        cr_assert_eq(r.status, 200);
        cr_assert_lt(now() - t, 1.0, "a normal request waited behind slow clients");
        http_response_free(&r);
        sleep_ms(1000);
    }
    /* idle connections are closed after the 3 s timeout; the byte-a-second
     * one sent its last byte about 1 s ago, so it follows within 3 s */
    int closed = 0;
    for (int i = 0; i < 40; i++) {
        closed += closed_by_server(idle[i], 3000);
        close(idle[i]);
    }
    cr_assert_eq(closed, 40, "only %d of 40 idle connections were closed", closed);
    cr_assert(closed_by_server(dribble, 4000), "the slow sender was not cut off");
    close(dribble);
    cr_assert_lt(now() - start, 15.0);
    cr_assert_eq(server_stop(&s), 0);
}

/* ---- graceful shutdown ---- */

Test(operations, sigterm_lets_requests_finish)
{
    server s;
    const char *args[] = {"--shutdown-grace", "10", "--access-log", "off", NULL};
    server_start(&s, args);
    /* A large answer read slowly through a small receive buffer stays in
     * flight while the server is told to stop. */
    int small = 4096;
    int slow = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &small, sizeof small); /* before connect */
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(s.port)};
    to.sin_addr.s_addr = htonl(0x7f000001);
    cr_assert_eq(connect(slow, (struct sockaddr *)&to, sizeof to), 0);
    const char req[] = "GET /v1/search?q=e&limit=1000 HTTP/1.1\r\nHost: x\r\n\r\n";
    cr_assert_eq(send(slow, req, sizeof req - 1, MSG_NOSIGNAL), (ssize_t)(sizeof req - 1));
    int idle = http_connect(s.port); /* kept alive, no request: must not delay the stop */
    sleep_ms(200);
    kill(s.pid, SIGTERM);
    sleep_ms(200);
    /* the server no longer takes new connections, or closes them unanswered */
    http_response r;
    int late = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(s.port)};
    sa.sin_addr.s_addr = htonl(0x7f000001);
    if (connect(late, (struct sockaddr *)&sa, sizeof sa) == 0)
        cr_assert_not(http_send(late, "GET", "/v1/ports/22", NULL, &r), "served after SIGTERM");
    close(late);
    /* read the whole answer, slowly, and check it is complete */
    char *buf = malloc(1 << 20);
    size_t got = 0;
    double deadline = now() + 20;
    while (got < (1 << 20) - 1 && now() < deadline) {
        struct pollfd p = {.fd = slow, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = recv(slow, buf + got, 4096, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        sleep_ms(2);
        buf[got] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        char *cl = strstr(buf, "Content-Length: ");
        if (end && cl && got >= (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10))
            break;
    }
    buf[got] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    cr_assert_not_null(end, "no answer: %.200s", buf);
    cr_assert(strncmp(buf, "HTTP/1.1 200", 12) == 0, "%.100s", buf);
    size_t want = strtoul(strstr(buf, "Content-Length: ") + 16, NULL, 10);
    cr_assert_eq(got - (size_t)(end + 4 - buf), want, "the answer in flight was cut short");
    cr_assert_gt(want, 20000, "the answer was large enough to be in flight");
    json_error_t err;
    json_t *j = json_loadb(end + 4, want, 0, &err);
    cr_assert_not_null(j, "%s", err.text);
    json_decref(j);
    free(buf);
    close(slow);
    int status = 0;
    deadline = now() + 15;
    while (waitpid(s.pid, &status, WNOHANG) == 0 && now() < deadline)
        sleep_ms(20);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status %d", status);
    cr_assert_lt(now() - (deadline - 15), 5.0, "the idle connection held up the stop");
    close(idle);
    server_reaped(&s);
}

/* ---- configuration ---- */

Test(operations, help_documents_every_variable_the_readme_names)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s --help", PR_PORTREG);
    FILE *p = popen(cmd, "r");
    char *help = calloc(1, 65536);
    size_t n = fread(help, 1, 65535, p);
    help[n] = '\0';
    cr_assert_eq(pclose(p), 0);
    size_t len;
    char *readme = slurp(PR_TEST_DIR "/../README.md", &len);
    int variables = 0;
    for (char *at = strstr(readme, "PORTREG_"); at; at = strstr(at + 1, "PORTREG_")) {
        char name[64];
        size_t k = 0;
        while (k < sizeof name - 1 && ((at[k] >= 'A' && at[k] <= 'Z') || at[k] == '_'))
            name[k] = at[k], k++;
        name[k] = '\0';
        /* variables of the test scripts and the compose file, not the server's */
        static const char *const not_settings[] = {
            "PORTREG_TEST_EXCHANGES", "PORTREG_DATA_DIR", "PORTREG_PORT",
            "PORTREG_SKIP_CONTAINER", "PORTREG_PLAN_DIR", "PORTREG_PLAN_NAME"};
        bool setting = true;
        for (size_t i = 0; i < sizeof not_settings / sizeof *not_settings; i++)
            setting = setting && strcmp(name, not_settings[i]) != 0;
        if (!setting)
            continue;
        cr_assert(strstr(help, name), "the README names %s, --help does not", name);
        variables++;
    }
    for (char *at = strstr(help, "PORTREG_"); at; at = strstr(at + 1, "PORTREG_")) {
        char name[64];
        size_t k = 0;
        while (k < sizeof name - 1 && ((at[k] >= 'A' && at[k] <= 'Z') || at[k] == '_'))
            name[k] = at[k], k++;
        name[k] = '\0';
        cr_assert(strstr(readme, name), "--help names %s, the README does not", name);
    }
    cr_assert_gt(variables, 10);
    free(readme);
    free(help);
}

Test(operations, drain_delay_shows_not_ready_before_stopping)
{
    server s;
    const char *args[] = {"--drain-delay", "2", "--access-log", "off", NULL};
    server_start(&s, args);
    double start = now();
    kill(s.pid, SIGTERM);
    sleep_ms(300);
    /* still accepting: a probe on a new connection learns it is going away,
     * and ordinary requests are still answered, asking to close after */
    http_response r;
    http_request(s.port, "GET", "/readyz", NULL, &r);
    cr_assert_eq(r.status, 503, "%s", r.body);
    json_t *j = http_json(&r);
    cr_assert(strstr(json_string_value(json_object_get(j, "detail")), "shutting down"));
    json_decref(j);
    http_response_free(&r);
    http_request(s.port, "GET", "/v1/ports/22", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert(r.closed, "a draining server asks the client to close");
    http_response_free(&r);
    int status = 0;
    while (waitpid(s.pid, &status, WNOHANG) == 0 && now() - start < 10)
        sleep_ms(20);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert_geq(now() - start, 1.9, "the delay was honoured");
    server_reaped(&s);
}

Test(operations, content_sent_to_the_operations_endpoints)
{
    server s;
    server_start(&s, NULL);
    http_response r;
    http_request_body(s.port, "POST", "/healthz", "Content-Type: application/json\r\n", "{}", 2,
                      &r);
    cr_assert_eq(r.status, 405, "POST is not allowed here, whatever it carries");
    char v[64];
    cr_assert_str_eq(http_header(&r, "Allow", v, sizeof v), "GET, HEAD, OPTIONS");
    http_response_free(&r);
    http_request_body(s.port, "GET", "/metrics", NULL, "x", 1, &r);
    cr_assert_eq(r.status, 413);
    http_response_free(&r);
    http_request(s.port, "GET", "/metrics", NULL, &r);
    cr_assert(strstr(r.body, "portreg_http_requests_total{route=\"healthz\",status=\"405\"} 1\n"),
              "%s", r.body);
    cr_assert(strstr(r.body, "portreg_http_requests_total{route=\"metrics\",status=\"413\"} 1\n"),
              "%s", r.body);
    http_response_free(&r);
    cr_assert_eq(server_stop(&s), 0);
}

/* ---- reload on change (--watch) and the container health check ---- */

static int count_of(const char *haystack, const char *needle)
{
    int n = 0;
    for (const char *at = haystack; (at = strstr(at, needle)); at += strlen(needle))
        n++;
    return n;
}

Test(operations, watch_reloads_changed_files_and_survives_a_broken_one)
{
    datasets d;
    make_datasets(&d);
    char dir[] = "/tmp/portreg-watch-XXXXXX";
    fill_with_a(dir, &d);
    const char *args[] = {"--data", dir, "--watch", "1", "--access-log", "off", NULL};
    server s;
    server_start(&s, args);

    put_file(dir, "service-names-port-numbers.csv", d.records_b, d.records_b_len);
    cr_assert(http_await_body(s.port, "/v1/ports/3493", "(variant B)", true, 8),
              "a changed records file is picked up without a signal");

    /* a records file that does not load: the data loaded before stays */
    put_file(dir, "service-names-port-numbers.csv", "Service Name,nonsense\n", 22);
    double deadline = now() + 8;
    char *log = NULL;
    do {
        sleep_ms(100);
        free(log);
        log = server_log(&s);
    } while (!strstr(log, "reload failed") && now() < deadline);
    cr_assert(strstr(log, "reload failed"), "%s", log);
    free(log);
    http_response r;
    http_request(s.port, "GET", "/v1/ports/3493", NULL, &r);
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.body, "(variant B)"), "still the last good data");
    http_response_free(&r);

    put_file(dir, "service-names-port-numbers.csv", d.records_a, d.records_a_len);
    cr_assert(http_await_body(s.port, "/v1/ports/3493", "(variant B)", false, 8),
              "a repaired file is picked up");
    log = server_log(&s);
    cr_assert_eq(count_of(log, "changed: reloading"), 3,
                 "one reload per settled change, none while unchanged:\n%s", log);
    free(log);
    cr_assert_eq(server_stop(&s), 0);
    remove_dir(dir);
    free_datasets(&d);
}

Test(operations, watch_is_off_by_default)
{
    datasets d;
    make_datasets(&d);
    char dir[] = "/tmp/portreg-nowatch-XXXXXX";
    fill_with_a(dir, &d);
    const char *args[] = {"--data", dir, "--access-log", "off", NULL};
    server s;
    server_start(&s, args);
    put_file(dir, "service-names-port-numbers.csv", d.records_b, d.records_b_len);
    sleep_ms(2500);
    http_response r;
    http_request(s.port, "GET", "/v1/ports/3493", NULL, &r);
    cr_assert_null(strstr(r.body, "(variant B)"), "without --watch only SIGHUP reloads");
    http_response_free(&r);
    cr_assert_eq(server_stop(&s), 0);
    remove_dir(dir);
    free_datasets(&d);
}

/* Waits up to 8 s for the server's log to hold `part` `times` times. */
static char *wait_for_log(const server *s, const char *part, int times)
{
    double deadline = now() + 8;
    char *log = server_log(s);
    while (count_of(log, part) < times && now() < deadline) {
        sleep_ms(50);
        free(log);
        log = server_log(s);
    }
    return log;
}

Test(operations, stale_data_is_warned_of_and_still_served)
{
    datasets d;
    make_datasets(&d);
    char dir[] = "/tmp/portreg-stale-XXXXXX";
    fill_with_a(dir, &d);
    put_file(dir, "registry-updated", "2020-01-01\n", 11);
    const char *args[] = {"--data", dir, "--access-log", "off", NULL};
    server s;
    server_start(&s, args);
    const char *warning = "is dated 2020-01-01";
    char *log = wait_for_log(&s, warning, 1);
    cr_assert_eq(count_of(log, warning), 1, "a warning at start-up (default 120 days):\n%s", log);
    cr_assert(strstr(log, " warn "), "%s", log);
    cr_assert(strstr(log, "more than --max-data-age 120"), "%s", log);
    free(log);
    http_response r;
    http_request(s.port, "GET", "/readyz", NULL, &r);
    cr_assert_eq(r.status, 200, "stale data is still ready");
    http_response_free(&r);
    http_request(s.port, "GET", "/metrics", NULL, &r);
    cr_assert(strstr(r.body, "\nportreg_registry_updated_timestamp_seconds 1577836800\n"), "%s",
              r.body);
    http_response_free(&r);
    http_request(s.port, "GET", "/v1/registry", NULL, &r);
    json_t *j = http_json(&r);
    json_int_t age = json_integer_value(json_object_get(j, "age_days"));
    /* whole days since 2020-01-01T00:00:00Z, as of the answer */
    json_int_t want = ((json_int_t)time(NULL) - 1577836800) / 86400;
    cr_assert(age == want || age == want - 1, "age_days %lld, expected %lld", (long long)age,
              (long long)want);
    cr_assert_str_eq(json_string_value(json_object_get(j, "source")), dir);
    json_decref(j);
    http_response_free(&r);

    /* a reload warns again */
    kill(s.pid, SIGHUP);
    log = wait_for_log(&s, warning, 2);
    cr_assert_eq(count_of(log, warning), 2, "%s", log);
    free(log);
    /* fresh data on reload: no warning, and the gauge follows */
    char today[16];
    time_t t = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d\n", gmtime(&t));
    put_file(dir, "registry-updated", today, 11);
    kill(s.pid, SIGHUP);
    log = wait_for_log(&s, "reloaded", 2);
    cr_assert_eq(count_of(log, "reloaded"), 2, "%s", log);
    cr_assert_eq(count_of(log, warning), 2, "no warning for today's data:\n%s", log);
    free(log);
    http_request(s.port, "GET", "/v1/registry", NULL, &r);
    j = http_json(&r);
    cr_assert_eq(json_integer_value(json_object_get(j, "age_days")), 0);
    json_decref(j);
    http_response_free(&r);
    cr_assert_eq(server_stop(&s), 0);

    /* the limit is a flag and a variable */
    put_file(dir, "registry-updated", "2020-01-01\n", 11);
    setenv("PORTREG_MAX_DATA_AGE", "36500", 1);
    server_start(&s, args);
    unsetenv("PORTREG_MAX_DATA_AGE");
    http_request(s.port, "GET", "/readyz", NULL, &r);
    http_response_free(&r);
    log = server_log(&s);
    cr_assert_eq(count_of(log, warning), 0, "within 36500 days:\n%s", log);
    free(log);
    cr_assert_eq(server_stop(&s), 0);
    const char *strict[] = {"--data", dir, "--max-data-age", "1", NULL};
    put_file(dir, "registry-updated", today, 11);
    server_start(&s, strict);
    http_request(s.port, "GET", "/readyz", NULL, &r);
    http_response_free(&r);
    log = server_log(&s);
    cr_assert_eq(count_of(log, "is dated"), 0, "today's data is never stale:\n%s", log);
    free(log);
    cr_assert_eq(server_stop(&s), 0);
    remove_dir(dir);
    free_datasets(&d);
}

/* Runs `portreg healthcheck --listen ADDR`; its exit status. */
static int healthcheck(const char *listen)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        execl(PR_PORTREG, PR_PORTREG, "healthcheck", "--listen", listen, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(operations, healthcheck_command_follows_readiness)
{
    server s;
    const char *args[] = {"--drain-delay", "3", "--access-log", "off", NULL};
    server_start(&s, args);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", (unsigned)s.port);
    cr_assert_eq(healthcheck(addr), 0, "a ready server passes");
    snprintf(addr, sizeof addr, "0.0.0.0:%u", (unsigned)s.port);
    cr_assert_eq(healthcheck(addr), 0, "a server on every address is asked on loopback");
    cr_assert_eq(healthcheck("127.0.0.1:0"), 1, "port 0 names no server");
    cr_assert_eq(healthcheck("not an address"), 1);

    kill(s.pid, SIGTERM);
    sleep_ms(300);
    snprintf(addr, sizeof addr, "127.0.0.1:%u", (unsigned)s.port);
    cr_assert_eq(healthcheck(addr), 1, "a draining server fails its health check");
    int status = 0;
    double start = now();
    while (waitpid(s.pid, &status, WNOHANG) == 0 && now() - start < 10)
        sleep_ms(20);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    server_reaped(&s);
    cr_assert_eq(healthcheck(addr), 1, "nothing listening fails too");
}
