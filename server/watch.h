/* watch.h: notices that the files of a data directory changed, so that a
 * server can reload them without being sent SIGHUP (a mounted volume in a
 * container, a Kubernetes volume whose "..data" link is swapped).
 *
 * A fingerprint is what stat(2) says of each data file: device, inode, size,
 * modification and change times, following symbolic links. Any difference
 * counts as a change; a file that appears or disappears is one too. Checking
 * costs four stat calls and reads no data. Plain values: no memory is
 * owned, any thread may use its own. */
#ifndef PR_WATCH_H
#define PR_WATCH_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

typedef struct pr_watch_file {
    bool present;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} pr_watch_file;

typedef struct pr_watch_print {
    pr_watch_file files[4];
} pr_watch_print;

/* Fills *out with the fingerprint of the data files under dir (NULL: none)
 * and of the port plan: the file plan names, or else dir's port-plan.csv. */
void pr_watch_take(const char *dir, const char *plan, pr_watch_print *out);

/* true when the two fingerprints differ in any file. */
bool pr_watch_differ(const pr_watch_print *a, const pr_watch_print *b);

#endif
