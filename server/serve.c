/* serve.c: `portreg serve`: load the data, serve it, reload it on SIGHUP
 * (or, with --watch, when the data files change),
 * stop cleanly on SIGTERM or SIGINT. */
#include "commands.h"
#include "cors.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "dataset.h"
#include "http.h"
#include "listen_addr.h"
#include "log.h"
#include "metrics.h"
#include "watch.h"

/* Loads the data the options name and builds its API; NULL (logged) on
 * failure. */
static pr_dataset *load(const pr_options *opt)
{
    pr_registry *reg = pr_options_load(opt);
    if (!reg)
        return NULL;
    for (uint32_t i = 0; i < reg->warning_count; i++) {
        char msg[1024];
        pr_log(PR_LOG_WARN, "%s", pr_error_format(&reg->warnings[i], msg, sizeof msg));
    }
    pr_api_config cfg = {.max_limit = opt->max_limit,
                         .default_limit = opt->max_limit < 100 ? opt->max_limit : 100,
                         .cache_bytes = opt->cache_bytes,
                         .max_path_bytes = opt->max_path_bytes,
                         .max_manifest = opt->max_manifest,
                         .version = PORTREG_VERSION,
                         .wire_free = pr_http_wire_free,
                         .operations = pr_http_operations,
                         .wire_bytes = PR_HTTP_WIRE_BYTES};
    double seconds = reg->load_seconds;
    pr_dataset *ds = pr_dataset_new(reg, &cfg);
    if (!ds) {
        pr_log(PR_LOG_ERROR, "out of memory building the API");
        return NULL;
    }
    pr_metrics_loaded(ds->reg->record_count, ds->reg->contact_count, seconds,
                      pr_api_last_modified_time(ds->api));
    pr_warn_if_stale(opt, ds->reg, (long long)time(NULL));
    return ds;
}

static const char *source_of(const pr_options *opt)
{
    return opt->data_dir ? opt->data_dir : "the built-in registry";
}

/* The new data set is built beside the old one, which goes on serving; only
 * a complete load is swapped in. */
static void reload(const pr_options *opt, pr_current *current)
{
    pr_dataset *fresh = load(opt);
    pr_metrics_reload(fresh != NULL);
    if (!fresh) {
        pr_log(PR_LOG_ERROR, "reload failed: still serving the data loaded before");
        return;
    }
    char updated[11];
    pr_log(PR_LOG_INFO, "reloaded %u records, %u contacts of %s from %s in %.1f ms",
           fresh->reg->record_count, fresh->reg->contact_count,
           pr_date_format(fresh->reg->updated, updated), source_of(opt),
           fresh->reg->load_seconds * 1e3);
    pr_current_replace(current, fresh);
}

int pr_cmd_serve(const pr_options *opt)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    char why[256];
    if (!pr_listen_addr_parse(opt->listen, &addr, &addr_len, why, sizeof why)) {
        pr_log(PR_LOG_ERROR, "--listen: %s", why);
        return 2;
    }
    /* a malformed setting is a usage error, refused before anything starts */
    pr_cors cors;
    if (!pr_cors_parse(opt->cors_origin, &cors, why, sizeof why)) {
        fprintf(stderr, "portreg: --cors-origin: %s\nTry 'portreg --help'.\n", why);
        return 2;
    }
    pr_dataset *ds = load(opt);
    if (!ds)
        return 1;
    pr_current current;
    pr_current_init(&current, ds);

    /* Signals are taken synchronously by this thread alone: block them before
     * libmicrohttpd starts its threads, which inherit the mask. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    pr_http_config http_cfg = {.cors_origin = opt->cors_origin,
                               .max_age = opt->max_age,
                               .threads = opt->threads,
                               .per_connection = opt->http_mode == 1,
                               .timeout = opt->timeout,
                               .conn_limit = opt->conn_limit,
                               .per_ip_limit = opt->per_ip_limit,
                               .memory_limit = opt->max_header_bytes};
    pr_http *http =
        pr_http_start((struct sockaddr *)&addr, addr_len, &current, &http_cfg, why, sizeof why);
    if (!http) {
        pr_log(PR_LOG_ERROR, "%s: %s", opt->listen, why);
        pr_current_destroy(&current);
        return 1;
    }
    /* the host part of --listen, whatever its length */
    const char *colon = strrchr(opt->listen, ':');
    int host_len = (int)(colon ? (size_t)(colon - opt->listen) : strlen(opt->listen));
    char updated[11];
    pr_log(PR_LOG_INFO, "serving %u records, %u contacts of %s from %s on http://%.*s:%u/",
           ds->reg->record_count, ds->reg->contact_count, pr_date_format(ds->reg->updated, updated),
           source_of(opt), host_len, opt->listen, (unsigned)pr_http_port(http));

    /* With --watch the wait for a signal times out every interval to look at
     * the data files. A change is acted on once the files have stayed as they
     * are for a whole interval, so a writer that replaces them one by one is
     * not caught half-way. */
    bool watching = opt->data_dir && opt->watch_seconds > 0;
    pr_watch_print loaded, seen;
    if (watching) {
        pr_watch_take(opt->data_dir, &loaded);
        seen = loaded;
    }
    for (;;) {
        struct timespec interval = {.tv_sec = watching ? opt->watch_seconds : 3600};
        int sig = sigtimedwait(&signals, NULL, &interval);
        if (sig < 0) {
            if (!watching)
                continue;
            pr_watch_print now;
            pr_watch_take(opt->data_dir, &now);
            bool settled = !pr_watch_differ(&now, &seen);
            seen = now;
            if (!settled || !pr_watch_differ(&now, &loaded))
                continue;
            pr_log(PR_LOG_INFO, "the data files in %s changed: reloading", opt->data_dir);
            loaded = now;
            reload(opt, &current);
            continue;
        }
        if (sig != SIGHUP) {
            pr_log(PR_LOG_INFO, "%s: finishing the requests under way, then stopping",
                   strsignal(sig));
            break;
        }
        if (watching) {
            pr_watch_take(opt->data_dir, &loaded);
            seen = loaded;
        }
        reload(opt, &current);
    }
    unsigned left = pr_http_stop(http, opt->drain_delay * 1000u, opt->shutdown_grace * 1000u);
    if (left)
        pr_log(PR_LOG_WARN, "%u requests were still under way after %u s; closed", left,
               opt->shutdown_grace);
    pr_current_destroy(&current);
    pr_log(PR_LOG_INFO, "stopped");
    return 0;
}
