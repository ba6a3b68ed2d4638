/* Eviction through the real server: with a cache far smaller than what is
 * asked, crowds of searches come and go while four clients ask them at
 * once, on kept-alive connections, with and without If-None-Match. Every
 * answer must be the one a server without a cache gives, byte for byte,
 * while answers are evicted and freed under the clients (ASan and valgrind
 * see a freed body read); and the server's metrics say it evicted. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define SAMPLE_DIR PR_TEST_DIR "/../data/sample"
#define CROWD      120
#define CROWDS     4
#define CLIENTS    4

static char *want[CROWD * CROWDS];

static void target_of(char *out, size_t size, unsigned i)
{
    snprintf(out, size, "/v1/search?q=%c&limit=%u&offset=%u", "aeiou"[i % 5], 1 + i % 9, i / 45);
}

typedef struct client {
    uint16_t port;
    unsigned id;
    atomic_int *crowd; /* which crowd is asked now */
    atomic_bool *stop;
    unsigned answers, wrong, not_modified;
    char first_wrong[200];
} client;

static void *ask_crowds(void *arg)
{
    client *c = arg;
    int fd = http_connect(c->port);
    char target[128], etag[64], header[128];
    for (unsigned n = 0; !atomic_load(c->stop); n++) {
        unsigned i = (unsigned)atomic_load(c->crowd) * CROWD + (n * 7 + c->id * 31) % CROWD;
        target_of(target, sizeof target, i);
        http_response r;
        if (!http_send(fd, "GET", target, NULL, &r)) {
            close(fd);
            fd = http_connect(c->port);
            continue;
        }
        c->answers++;
        bool right = r.status == 200 && r.body_len == strlen(want[i]) &&
                     memcmp(r.body, want[i], r.body_len) == 0;
        /* every fourth asking revalidates: the tag must still match */
        if (right && n % 4 == 0 && http_header(&r, "ETag", etag, sizeof etag)) {
            http_response again;
            snprintf(header, sizeof header, "If-None-Match: %s\r\n", etag);
            if (http_send(fd, "GET", target, header, &again)) {
                c->not_modified += again.status == 304;
                right = again.status == 304;
                http_response_free(&again);
            }
        }
        if (!right && c->wrong++ == 0)
            snprintf(c->first_wrong, sizeof c->first_wrong, "%s: %d", target, r.status);
        http_response_free(&r);
    }
    close(fd);
    return NULL;
}

Test(evict, answers_stay_right_while_a_small_cache_evicts)
{
    /* what each question answers, from a server that keeps nothing */
    const char *plain[] = {"--data", SAMPLE_DIR, "--cache-bytes", "0", "--access-log", "off", NULL};
    server s;
    server_start(&s, plain);
    http_record(false); /* hundreds of searches add nothing to the spec check */
    char target[128];
    for (unsigned i = 0; i < CROWD * CROWDS; i++) {
        http_response r;
        target_of(target, sizeof target, i);
        http_request(s.port, "GET", target, NULL, &r);
        cr_assert_eq(r.status, 200, "%s", target);
        want[i] = strdup(r.body);
        http_response_free(&r);
    }
    cr_assert_eq(server_stop(&s), 0);

    const char *small[] = {"--data", SAMPLE_DIR, "--cache-bytes", "65536", "--access-log",
                           "off",    NULL};
    server_start(&s, small);
    atomic_int crowd = 0;
    atomic_bool stop = false;
    client clients[CLIENTS];
    pthread_t threads[CLIENTS];
    for (unsigned t = 0; t < CLIENTS; t++) {
        clients[t] = (client){.port = s.port, .id = t, .crowd = &crowd, .stop = &stop};
        pthread_create(&threads[t], NULL, ask_crowds, &clients[t]);
    }
    for (int k = 1; k < CROWDS; k++) {
        usleep(600 * 1000);
        atomic_store(&crowd, k);
    }
    usleep(600 * 1000);
    atomic_store(&stop, true);
    unsigned answers = 0, wrong = 0, not_modified = 0;
    for (unsigned t = 0; t < CLIENTS; t++) {
        pthread_join(threads[t], NULL);
        answers += clients[t].answers;
        wrong += clients[t].wrong;
        not_modified += clients[t].not_modified;
        cr_assert_eq(clients[t].wrong, 0, "client %u: %u wrong, first %s", t, clients[t].wrong,
                     clients[t].first_wrong);
    }
    cr_log_info("%u answers, %u revalidated, %u wrong", answers, not_modified, wrong);
    cr_assert_gt(answers, 400, "the clients ran");

    http_response m;
    http_request(s.port, "GET", "/metrics", NULL, &m);
    http_record(true);
    const char *line = strstr(m.body, "\nportreg_cache_evictions_total ");
    cr_assert_not_null(line, "the metrics count evictions");
    unsigned long evicted = strtoul(line + strlen("\nportreg_cache_evictions_total "), NULL, 10);
    cr_assert_gt(evicted, 0, "a cache of 64 KiB under four crowds of searches evicts");
    http_response_free(&m);
    cr_assert_eq(server_stop(&s), 0);
    for (unsigned i = 0; i < CROWD * CROWDS; i++)
        free(want[i]);
}
