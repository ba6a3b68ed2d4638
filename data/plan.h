/* plan.h: the organization's own port plan, a second source of records
 * beside IANA's registry.
 *
 * The plan is a CSV file (port-plan.csv in the data directory, or the file
 * --plan names) that people edit and review: lines that begin with '#' are
 * comments, blank lines are skipped, and the first other line is the header.
 * Columns, found by name in any order:
 *
 *   Service Name        the service ("" only for a band), at most 63 bytes
 *   Port Number         N or N-M, required
 *   Transport Protocol  "" (every protocol) or tcp, udp, sctp, dccp, several
 *                       separated by spaces ("tcp udp": one record each)
 *   Owner               the team: 1-64 of a-z 0-9 . _ -
 *   Contact             free text (an address, a channel), may be ""
 *   Status              assigned, reserved, pending-iana or band
 *   Reference           a ticket or URL; required for pending-iana
 *   Notes               free text
 *
 * Loading is all or nothing, like IANA's files: the first malformed entry
 * fails the whole load with "file:line: column: problem". Besides a bad cell,
 * two rules span entries: two owners' bands may not overlap, and two owners'
 * entries (assigned, reserved, pending-iana) may not share a port and
 * protocol. What loads with a warning: an entry on a port IANA assigned or
 * reserved (naming both), an entry inside another owner's band.
 *
 * Each entry becomes one pr_record per protocol (source PR_SOURCE_LOCAL)
 * after IANA's, so the name, port and search indexes hold both layers; the
 * owners index and the per-port marks are the plan's own (registry.h). This
 * module is a step of the load (build.h) and has no state of its own. */
#ifndef PR_PLAN_H
#define PR_PLAN_H

#define PR_PLAN_MAX_BYTES   (4u * 1024 * 1024)
#define PR_PLAN_MAX_ROWS    20000
#define PR_PLAN_MAX_OWNER   64
#define PR_PLAN_MAX_SERVICE 63
/* The ports the entries cover, counted once per protocol (an entry for
 * every protocol counts four times): some 30 whole-range bands. */
#define PR_PLAN_MAX_PORTS (2u * 1024 * 1024)

#endif
