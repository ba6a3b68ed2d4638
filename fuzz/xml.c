/* xml.c: fuzzes the IANA XML importer (import/): pr_import_run() over the
 * input as service-names-port-numbers.xml, into a scratch data directory.
 *
 * The input is handed over as a file, as the importer only reads files: a
 * memfd, named by its /proc/self/fd path, so that nothing touches a disk.
 *
 * Oracle: an import either fails with a located message and leaves the data
 * directory as it was, or succeeds, and then the directory holds files of
 * the sizes the import reported (the bytes its own loader accepted) and a
 * date file. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "importer.h"

static int xml_fd = -1;
static char xml_path[64];
static char out_dir[4096];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    if (out_dir[0])
        nftw(out_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    xml_fd = memfd_create("fuzz-xml", MFD_CLOEXEC);
    FUZZ_REQUIRE(xml_fd >= 0, "memfd_create: %s", strerror(errno));
    snprintf(xml_path, sizeof xml_path, "/proc/self/fd/%d", xml_fd);
    const char *tmp = getenv("TMPDIR");
    struct stat st;
    if (!tmp || !*tmp)
        tmp = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(out_dir, sizeof out_dir, "%s/portreg-fuzz-xml.XXXXXX", tmp);
    FUZZ_REQUIRE(mkdtemp(out_dir), "mkdtemp %s: %s", out_dir, strerror(errno));
    atexit(cleanup);
    return 0;
}

/* What the directory holds, to see that a failed import left it alone. */
static void fingerprint(char *out, size_t size)
{
    static const char *const names[] = {PR_RECORDS_FILE, PR_CONTACTS_FILE, PR_UPDATED_FILE};
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < 3; i++) {
        char path[4200];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", out_dir, names[i]);
        int n = stat(path, &st) == 0
                    ? snprintf(out + used, size - used, "%lld.%ld.%lld;", (long long)st.st_ino,
                               (long)st.st_mtim.tv_nsec, (long long)st.st_size)
                    : snprintf(out + used, size - used, "-;");
        if (n > 0 && (size_t)n < size - used)
            used += (size_t)n;
    }
}

static void check_file(const char *name, size_t bytes)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    FUZZ_REQUIRE(stat(path, &st) == 0 && (size_t)st.st_size == bytes,
                 "%s: %lld bytes, the import reported %zu", name,
                 stat(path, &st) == 0 ? (long long)st.st_size : -1LL, bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_REQUIRE(ftruncate(xml_fd, 0) == 0, "ftruncate: %s", strerror(errno));
    for (size_t done = 0; done < size;) {
        ssize_t w = pwrite(xml_fd, data + done, size - done, (off_t)done);
        FUZZ_REQUIRE(w > 0, "pwrite: %s", strerror(errno));
        done += (size_t)w;
    }
    char before[256], after[256];
    fingerprint(before, sizeof before);
    pr_import_options opt = {.xml_path = xml_path, .out_dir = out_dir};
    pr_import_result res;
    pr_error err;
    memset(&err, 0, sizeof err);
    if (pr_import_run(&opt, &res, &err) != 0) {
        FUZZ_REQUIRE(err.text[0] && memchr(err.text, '\0', sizeof err.text), "no message");
        fingerprint(after, sizeof after);
        FUZZ_REQUIRE(!strcmp(before, after), "a failed import changed the directory: %s -> %s",
                     before, after);
        return 0;
    }
    /* the loader checked these bytes in memory; what matters now is that
     * they are what the directory holds */
    check_file(PR_RECORDS_FILE, res.records_bytes);
    check_file(PR_CONTACTS_FILE, res.contacts_bytes);
    check_file(PR_UPDATED_FILE, 11);
    return 0;
}
