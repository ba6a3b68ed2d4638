/* export.h: the registry in the formats hosts read: a services(5) file
 * (/etc/services) and the value of Linux's net.ipv4.ip_local_reserved_ports.
 *
 * The services(5) file follows the layout of Debian's netbase: the name,
 * PORT/PROTOCOL, the aliases and "# comment", each field starting at the
 * next of columns 0, 16, 32 and 48 (tab stops of 8) that its predecessor
 * leaves free. Its rules, which the file's own header repeats:
 *   - one line per port and protocol that has a name: the first name in
 *     the records' order is the line's name, the others its aliases;
 *   - each name once per protocol (compared case-insensitively, RFC 6335
 *     5.1), at its lowest port, as getservbyname(3) returns the first line
 *     only; a later record that would repeat it adds nothing;
 *   - a range (x11 6000-6063) is written at its first port, the range
 *     stated in the comment ("(ports 6000-6063)");
 *   - records with no protocol (services(5) needs one), no port, or a name
 *     holding whitespace or '#' are left out;
 *   - the comment is the description on one line (line breaks and tabs
 *     become spaces).
 *
 * Layers: the records come in layers (IANA's registry first, then, once it
 * exists, the organization's own plan), written in one file with one set of
 * names: a name an earlier layer has written is not written again. The
 * header names each layer that has records (the first always).
 *
 * Ownership: results are malloc'ed and the caller's to free. The functions
 * only read their inputs: thread-safe over an immutable registry. NULL is
 * returned only when out of memory. Knows nothing of HTTP. */
#ifndef PR_DATA_EXPORT_H
#define PR_DATA_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

typedef struct pr_export_layer {
    const char *title; /* named in the file's header: "IANA's ... Registry" */
    const pr_record *records;
    uint32_t count;
} pr_export_layer;

/* The services(5) file of the layers, in order; `updated` (may be "")
 * is the date the header gives. *len receives its length; the text is also
 * NUL-terminated. */
char *pr_export_services(const pr_export_layer *layers, size_t layer_count, const char *updated,
                         size_t *len);

/* The ports of every record of the given names, any protocol, merged and
 * sorted: "22,80,6000-6063" (no newline), "" when they have no port. */
char *pr_export_reserved_ports(const pr_registry *reg, const pr_service_name *const *names,
                               size_t name_count);

#endif
