/* replace.c: atomic replacement of a set of files (see replace.h). */
#include "replace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct slot {
    char target[4096]; /* dir/name */
    char temp[4096];   /* dir/.name.XXXXXX: the new content */
    char backup[4096]; /* dir/.name.XXXXXX.old: a hard link to the old file */
    bool have_temp, had_old, have_backup, renamed;
} slot;

static bool write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool fits(int n, size_t size)
{
    return n >= 0 && (size_t)n < size;
}

/* Writes one new file under its temporary name, synced, with the old
 * file's permissions. */
static int write_temp(slot *s, const pr_new_file *f, pr_error *err)
{
    struct stat sb;
    mode_t mode = 0644;
    if (lstat(s->target, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            pr_error_set(err, s->target, 0, NULL, "is not a regular file; not replaced");
            return -1;
        }
        mode = sb.st_mode & 07777;
        s->had_old = true;
    } else if (errno != ENOENT) {
        pr_error_set(err, s->target, 0, NULL, "cannot look at it: %s", strerror(errno));
        return -1;
    }
    int fd = mkostemp(s->temp, O_CLOEXEC);
    if (fd < 0) {
        pr_error_set(err, s->temp, 0, NULL, "cannot create: %s", strerror(errno));
        return -1;
    }
    s->have_temp = true;
    const char *what = !write_all(fd, f->bytes, f->len) ? "cannot write"
                       : fchmod(fd, mode) != 0          ? "cannot set its permissions"
                       : fsync(fd) != 0                 ? "cannot sync it to disk"
                                                        : NULL;
    int saved = errno;
    if (close(fd) != 0 && !what) {
        what = "cannot close";
        saved = errno;
    }
    if (what) {
        pr_error_set(err, s->temp, 0, NULL, "%s: %s", what, strerror(saved));
        return -1;
    }
    return 0;
}

/* Undoes what was done, so that the directory holds what it held. */
static void roll_back(slot *slots, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        slot *s = &slots[i];
        if (s->renamed) {
            if (s->have_backup && rename(s->backup, s->target) == 0)
                s->have_backup = false;
            else if (!s->had_old)
                unlink(s->target);
        }
        if (s->have_temp && !s->renamed)
            unlink(s->temp);
        if (s->have_backup)
            unlink(s->backup);
    }
}

int pr_replace_files(const char *dir, const pr_new_file *files, size_t n, pr_error *err)
{
    if (n > PR_REPLACE_MAX_FILES) {
        pr_error_set(err, dir, 0, NULL, "more than %d files at once", PR_REPLACE_MAX_FILES);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = files[i].name;
        if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
            pr_error_set(err, dir, 0, NULL, "\"%.64s\" is not a plain file name", name);
            return -1;
        }
    }
    bool created = mkdir(dir, 0755) == 0;
    if (!created && errno != EEXIST) {
        pr_error_set(err, dir, 0, NULL, "cannot create the directory: %s", strerror(errno));
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        pr_error_set(err, dir, 0, NULL, "cannot open the directory: %s", strerror(errno));
        if (created)
            rmdir(dir);
        return -1;
    }
    int rc;
    while ((rc = flock(dfd, LOCK_EX)) != 0 && errno == EINTR)
        continue;
    if (rc != 0) {
        pr_error_set(err, dir, 0, NULL, "cannot lock the directory: %s", strerror(errno));
        close(dfd);
        if (created)
            rmdir(dir);
        return -1;
    }
    slot *slots = calloc(n ? n : 1, sizeof *slots);
    if (!slots) {
        pr_error_set(err, dir, 0, NULL, "out of memory");
        close(dfd);
        if (created)
            rmdir(dir);
        return -1;
    }
    rc = -1;
    for (size_t i = 0; i < n; i++) {
        slot *s = &slots[i];
        const char *name = files[i].name;
        if (!fits(snprintf(s->target, sizeof s->target, "%s/%s", dir, name), sizeof s->target) ||
            !fits(snprintf(s->temp, sizeof s->temp, "%s/.%s.XXXXXX", dir, name), sizeof s->temp)) {
            pr_error_set(err, dir, 0, NULL, "the directory's path is too long");
            goto fail;
        }
        if (write_temp(s, &files[i], err) != 0)
            goto fail;
    }
    /* every new file is complete: keep the old ones reachable, then swap */
    for (size_t i = 0; i < n; i++) {
        slot *s = &slots[i];
        if (!s->had_old)
            continue;
        if (!fits(snprintf(s->backup, sizeof s->backup, "%s.old", s->temp), sizeof s->backup)) {
            pr_error_set(err, dir, 0, NULL, "the directory's path is too long");
            goto fail;
        }
        if (link(s->target, s->backup) != 0) {
            pr_error_set(err, s->target, 0, NULL, "cannot keep the old file aside (link): %s",
                         strerror(errno));
            goto fail;
        }
        s->have_backup = true;
    }
    for (size_t i = 0; i < n; i++) {
        slot *s = &slots[i];
        if (rename(s->temp, s->target) != 0) {
            pr_error_set(err, s->target, 0, NULL, "cannot put the new file in place: %s",
                         strerror(errno));
            goto fail;
        }
        s->renamed = true;
    }
    for (size_t i = 0; i < n; i++)
        if (slots[i].have_backup && unlink(slots[i].backup) == 0)
            slots[i].have_backup = false;
    /* The renames are durable once the directory is synced. A failure here
     * is not reported: some file systems cannot sync a directory, and the
     * new files are in place and complete either way. */
    (void)fsync(dfd);
    rc = 0;
    goto done;
fail:
    roll_back(slots, n);
done:
    free(slots);
    close(dfd); /* releases the lock */
    if (rc != 0 && created)
        rmdir(dir); /* a directory this call made goes too; it is empty again */
    return rc;
}
