/* watch.c: fingerprints of a data directory's files (see watch.h). */
#include "watch.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "registry.h"

static const char *const watched[] = {PR_RECORDS_FILE, PR_CONTACTS_FILE, PR_UPDATED_FILE,
                                      PR_PLAN_FILE};

_Static_assert(sizeof watched / sizeof *watched ==
                   sizeof((pr_watch_print *)0)->files / sizeof(pr_watch_file),
               "one fingerprint slot per watched file");

void pr_watch_take(const char *dir, const char *plan, pr_watch_print *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof watched / sizeof *watched; i++) {
        char path[4096];
        struct stat st;
        bool is_plan = strcmp(watched[i], PR_PLAN_FILE) == 0;
        /* a plan named apart is watched where it is; the built-in registry
         * has no directory, only perhaps a plan */
        int n = is_plan && plan ? snprintf(path, sizeof path, "%s", plan)
                : dir           ? snprintf(path, sizeof path, "%s/%s", dir, watched[i])
                                : -1;
        if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) != 0)
            continue;
        out->files[i] = (pr_watch_file){.present = true,
                                        .dev = st.st_dev,
                                        .ino = st.st_ino,
                                        .size = st.st_size,
                                        .mtime = st.st_mtim,
                                        .ctime = st.st_ctim};
    }
}

static bool same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

bool pr_watch_differ(const pr_watch_print *a, const pr_watch_print *b)
{
    for (size_t i = 0; i < sizeof a->files / sizeof *a->files; i++) {
        const pr_watch_file *x = &a->files[i], *y = &b->files[i];
        if (x->present != y->present)
            return true;
        if (x->present && (x->dev != y->dev || x->ino != y->ino || x->size != y->size ||
                           !same_time(x->mtime, y->mtime) || !same_time(x->ctime, y->ctime)))
            return true;
    }
    return false;
}
