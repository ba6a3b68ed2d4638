/* listen_addr.h: parses the --listen value into a socket address.
 *
 * Accepts HOST:PORT, where HOST is an IPv4 address, a bracketed IPv6 address
 * ([::1]:8080) or a name that resolves (localhost:8080), and PORT is 0-65535
 * (0 asks the kernel for a free port). Fills caller-owned storage; on error
 * returns false with a sentence in why[]. Reentrant. */
#ifndef PR_LISTEN_ADDR_H
#define PR_LISTEN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

bool pr_listen_addr_parse(const char *text, struct sockaddr_storage *out, socklen_t *out_len,
                          char *why, size_t why_size);

#endif
