/* replace.h: puts a set of new files into a directory in place of the old
 * ones, so that the directory holds either the whole old set or the whole
 * new one, never a half-written file.
 *
 * How: an exclusive flock(2) on the directory keeps two writers apart; each
 * new file is written under a hidden temporary name in the directory itself
 * (so that rename(2) can move it into place atomically), flushed to disk
 * with fsync(2), and only when every one is complete are they renamed over
 * the old files, one after the other. Each old file is first hard-linked to
 * a hidden backup name, so that when a rename fails those already done are
 * put back. Finally the directory itself is synced.
 *
 * A reader that opens the files while the renames run (they take
 * microseconds) can see some new files and some old: a server should be
 * told to reload only after this returns.
 *
 * New files get the permissions of the file they replace, or 0644; they
 * belong to whoever runs this. A target that is not a regular file (a
 * symbolic link, a directory) is refused, and so is a file system without
 * hard links: either fails before anything changes.
 *
 * Errors: -1 with *err naming the file and what failed; the directory then
 * holds exactly what it held before (no temporary or backup files left).
 * The directory is created (one level, 0755) when it does not exist.
 * Threads: distinct calls may run at once; on one directory they queue. */
#ifndef PR_IMPORT_REPLACE_H
#define PR_IMPORT_REPLACE_H

#include <stddef.h>

#include "error.h"

typedef struct pr_new_file {
    const char *name; /* a plain file name inside the directory, no '/' */
    const void *bytes;
    size_t len;
} pr_new_file;

#define PR_REPLACE_MAX_FILES 8

/* Replaces dir/files[i].name with files[i].bytes for i < n (n at most
 * PR_REPLACE_MAX_FILES). */
int pr_replace_files(const char *dir, const pr_new_file *files, size_t n, pr_error *err);

#endif
