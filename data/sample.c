/* sample.c: loads the embedded sample data set (see sample.h). */
#include "sample.h"

#include "sample_data.h"

pr_registry *pr_sample_load(pr_error *err)
{
    pr_source records = {PR_SAMPLE_RECORDS_NAME, pr_sample_records, pr_sample_records_len};
    pr_source contacts = {PR_SAMPLE_CONTACTS_NAME, pr_sample_contacts, pr_sample_contacts_len};
    return pr_registry_load_sources(&records, &contacts, err);
}
