/* serve.c: `portreg serve`: load the data, serve it, stop cleanly on a signal. */
#include "commands.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "http.h"
#include "listen_addr.h"

int pr_cmd_serve(const pr_options *opt)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    char why[256];
    if (!pr_listen_addr_parse(opt->listen, &addr, &addr_len, why, sizeof why)) {
        fprintf(stderr, "portreg: --listen: %s\n", why);
        return 2;
    }
    pr_registry *reg = pr_options_load(opt);
    if (!reg)
        return 1;
    for (uint32_t i = 0; i < reg->warning_count; i++) {
        char msg[1024];
        fprintf(stderr, "portreg: warning: %s\n",
                pr_error_format(&reg->warnings[i], msg, sizeof msg));
    }
    pr_api_config api_cfg = {.max_limit = 1000,
                             .default_limit = 100,
                             .cache_bytes = 16u * 1024 * 1024,
                             .version = PORTREG_VERSION,
                             .wire_free = pr_http_wire_free};
    pr_api *api = pr_api_new(reg, &api_cfg);
    if (!api) {
        fprintf(stderr, "portreg: out of memory\n");
        pr_registry_free(reg);
        return 1;
    }

    /* Signals are taken synchronously by this thread alone: block them before
     * libmicrohttpd starts its threads, which inherit the mask. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    pr_http_config http_cfg = {.cors_origin = opt->cors_origin,
                               .max_age = opt->max_age,
                               .threads = opt->threads,
                               .timeout = 30,
                               .conn_limit = 1024,
                               .per_ip_limit = 0,
                               .memory_limit = 32 * 1024};
    pr_http *http =
        pr_http_start((struct sockaddr *)&addr, addr_len, api, &http_cfg, why, sizeof why);
    if (!http) {
        fprintf(stderr, "portreg: %s: %s\n", opt->listen, why);
        pr_api_free(api);
        pr_registry_free(reg);
        return 1;
    }
    char host[128];
    snprintf(host, sizeof host, "%s", opt->listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    fprintf(stderr, "portreg: serving %u records, %u contacts from %s on http://%s:%u/\n",
            reg->record_count, reg->contact_count,
            opt->data_dir ? opt->data_dir : "the built-in sample", host,
            (unsigned)pr_http_port(http));
    fflush(stderr);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    fprintf(stderr, "portreg: %s: finishing open requests, then stopping\n", strsignal(sig));
    pr_http_stop(http, 5000);
    pr_api_free(api);
    pr_registry_free(reg);
    fprintf(stderr, "portreg: stopped\n");
    return 0;
}
