/* builtin.c: the registry compiled into the binary (see builtin.h). */
#include "builtin.h"

#include <stdio.h>
#include <string.h>

#include "builtin_data.h"
#include "header.h"

bool pr_builtin_file(const char *name, pr_source *out)
{
    for (size_t i = 0; i < pr_builtin_files_count; i++) {
        const char *slash = strrchr(pr_builtin_files[i].name, '/');
        const char *own = slash ? slash + 1 : pr_builtin_files[i].name;
        if (strcmp(own, name) == 0) {
            *out = (pr_source){pr_builtin_files[i].name, pr_builtin_files[i].bytes,
                               pr_builtin_files[i].len};
            return true;
        }
    }
    return false;
}

pr_registry *pr_builtin_load(pr_error *err)
{
    return pr_builtin_load_plan(NULL, err);
}

pr_registry *pr_builtin_load_plan(const char *plan_path, pr_error *err)
{
    pr_source records, contacts, updated, header;
    if (!pr_builtin_file(PR_RECORDS_FILE, &records) ||
        !pr_builtin_file(PR_CONTACTS_FILE, &contacts)) {
        pr_error_set(err, NULL, 0, NULL, "this build embeds no registry");
        return NULL;
    }
    bool dated = pr_builtin_file(PR_UPDATED_FILE, &updated);
    bool headed = pr_builtin_file(PR_HEADER_FILE, &header);
    pr_registry_files files = {&records, &contacts, dated ? &updated : NULL,
                               headed ? &header : NULL, NULL};
    pr_registry *reg = pr_registry_load_files_plan(&files, plan_path, err);
    if (reg)
        snprintf(reg->source, sizeof reg->source, "%s", PR_BUILTIN_SOURCE);
    return reg;
}
