/* updated.h: the registry's own date, kept in a data directory's
 * PR_UPDATED_FILE ("registry-updated") beside the two tables.
 *
 * IANA dates the registry as a whole (<updated> in its XML); the CSV does not
 * carry that date, and the newest date in the rows can be older or newer than
 * it. The importer writes the file; the loader reads it when it is there.
 *
 * The format is strict: one line, a date YYYY-MM-DD and a line feed, nothing
 * else ("2026-08-17\n"), so that a hand-edited or half-written file fails
 * with a message rather than moving Last-Modified somewhere unintended.
 *
 * Nothing allocates or keeps a pointer; reentrant. */
#ifndef PR_UPDATED_H
#define PR_UPDATED_H

#include <stdbool.h>

#include "registry.h"

/* The file is 11 bytes; anything much longer is not one. */
#define PR_UPDATED_MAX_BYTES 64

/* Parses src (the file's bytes) into *out, or fills *err with src->name, the
 * line and what is wrong, and returns false. */
bool pr_updated_parse(const pr_source *src, pr_date *out, pr_error *err);

/* Writes the file's content for `date` (a full date) into buf[12]: "YYYY-MM-DD\n"
 * and a NUL. Returns the length, 11, or 0 when the date is not a full date. */
int pr_updated_format(pr_date date, char buf[12]);

#endif
