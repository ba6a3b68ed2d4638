/* import_util.h: helpers shared by the importer's tests: scratch
 * directories under the build directory, and snapshots of a directory to
 * prove that a failed import left it as it was. */
#ifndef PR_IMPORT_TEST_UTIL_H
#define PR_IMPORT_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "importer.h"

#define IMPORT_DIR PR_TEST_DIR "/import"
#define GOOD_XML   IMPORT_DIR "/good/service-names-port-numbers.xml"

/* Makes a fresh directory under the build directory into buf (removed by
 * remove_tree). Asserts on failure. */
void scratch_dir(char *buf, size_t size);

/* Removes path and everything below it; quiet when it does not exist. */
void remove_tree(const char *path);

/* Writes bytes to path (created or truncated). Asserts on failure. */
void write_file(const char *path, const void *bytes, size_t len);

/* One line per entry of dir (sorted, hidden ones included): name, mode,
 * size and SHA-256 of a file's bytes. Malloc'ed; the caller frees it. */
char *dir_snapshot(const char *dir);

/* Imports xml (and csv when not NULL) into out; returns pr_import_run's
 * result with err filled. Warnings are counted into *warnings when not
 * NULL. */
int import_into(const char *xml, const char *csv, const char *out, pr_import_result *res,
                pr_error *err, unsigned *warnings);

#endif
