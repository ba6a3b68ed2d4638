/* sample.h: the sample data set compiled into the binary: the registry rows
 * and contact rows of the two documents the project started from. The server
 * serves it when no data directory is given, so it runs with nothing beside it.
 *
 * The returned registry is owned by the caller (pr_registry_free). */
#ifndef PR_SAMPLE_H
#define PR_SAMPLE_H

#include "registry.h"

/* Names the embedded files carry in messages and in /v1/registry. */
#define PR_SAMPLE_RECORDS_NAME  "(built-in sample)/" PR_RECORDS_FILE
#define PR_SAMPLE_CONTACTS_NAME "(built-in sample)/" PR_CONTACTS_FILE

pr_registry *pr_sample_load(pr_error *err);

#endif
