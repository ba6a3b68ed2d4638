/* builtin.h: the registry compiled into the binary, IANA's files of the
 * snapshot in registry/iana/ byte for byte, and the default data of every
 * command. registry/meson.build lists the files; this module finds each of
 * them by its file name, so the loader and the embedding share that one list.
 *
 * Nothing here allocates but pr_builtin_load, whose registry the caller owns
 * (pr_registry_free). The embedded bytes are read-only for the life of the
 * process; every function is reentrant. */
#ifndef PR_BUILTIN_H
#define PR_BUILTIN_H

#include <stdbool.h>

#include "registry.h"

/* What pr_registry.source says of the built-in registry. */
#define PR_BUILTIN_SOURCE "built-in"

/* The embedded file of that name (PR_RECORDS_FILE, PR_UPDATED_FILE, ...),
 * named "(built-in)/NAME" for messages, or false when the snapshot has no
 * such file. */
bool pr_builtin_file(const char *name, pr_source *out);

/* Loads the built-in registry, as pr_registry_load_dir would load a
 * directory holding the same files; reg->source is PR_BUILTIN_SOURCE. NULL
 * with *err set only if the build embedded a snapshot that does not load,
 * which the tests rule out. */
pr_registry *pr_builtin_load(pr_error *err);

/* As pr_builtin_load, with the organization's plan read from plan_path
 * (NULL: none; the built-in registry has no directory to hold one). */
pr_registry *pr_builtin_load_plan(const char *plan_path, pr_error *err);

#endif
