/* hazards.h: the host hazards of a port choice (enum pr_hazard, check.h).
 *
 * IANA's registry says who holds a port; a host can still make a free port
 * a poor choice. A port in the kernel's ephemeral range may be held by an
 * outgoing connection when the service starts (Linux's default
 * ip_local_port_range is 32768-60999; Windows' dynamic range is
 * 49152-65535, after RFC 6335 6). Browsers refuse to fetch from the Fetch
 * standard's "bad ports" (section 2.9, port blocking). Kubernetes allocates
 * NodePorts from 30000-32767 by default, and a host port there may meet one.
 *
 * Threads: pure functions, except pr_hazards_read_local (reads files). */
#ifndef PR_HAZARDS_H
#define PR_HAZARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

#define PR_NODE_PORT_FIRST 30000
#define PR_NODE_PORT_LAST  32767
#define PR_RESERVED_BYTES  8192 /* a bit per port */

/* "linux_ephemeral", "windows_dynamic", "browser_blocked", "node_port_range". */
const char *pr_hazard_name(enum pr_hazard h);

/* Reads a list of hazards to judge: "all", "none", or names of
 * pr_hazard_name separated by commas. *off gets the bits of the hazards
 * left out. false when a word is none of these. */
bool pr_hazards_parse(const char *text, size_t len, unsigned *off);

/* Does hazard h apply to this port? When it does and msg is not NULL, a
 * sentence saying why goes to msg (size > 0). */
bool pr_hazard_hit(const pr_check_options *opt, enum pr_hazard h, uint16_t port,
                   enum pr_proto proto, enum pr_port_use use, char *msg, size_t size);

/* Any hazard that is on? (For suggestions, which avoid them all.) */
bool pr_hazard_any(const pr_check_options *opt, uint16_t port, enum pr_proto proto,
                   enum pr_port_use use);

/* Fills opt's ephemeral range from range_path ("32768\t60999") and, when
 * reserved_path names a readable file, reserved (PR_RESERVED_BYTES bytes,
 * owned by the caller) from its list ("8080,9000-9010"), and points
 * opt->reserved at it. 0, or -1 with a sentence in err. */
int pr_hazards_read_local(pr_check_options *opt, uint8_t *reserved, const char *range_path,
                          const char *reserved_path, char *err, size_t err_size);

#endif
