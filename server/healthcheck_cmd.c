/* healthcheck_cmd.c: `portreg healthcheck`: one GET /readyz to the server at
 * --listen, so that a container image needs no HTTP client of its own for
 * its HEALTHCHECK. The whole exchange is bounded by a socket timeout. */
#include "commands.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "listen_addr.h"

enum { TIMEOUT_SECONDS = 3 };

/* A server listening on every address is asked on loopback. */
static void to_loopback(struct sockaddr_storage *addr)
{
    if (addr->ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)addr;
        if (in->sin_addr.s_addr == htonl(INADDR_ANY))
            in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (addr->ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
        if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))
            in6->sin6_addr = in6addr_loopback;
    }
}

static int fail(const char *what, const char *why)
{
    fprintf(stderr, "portreg healthcheck: %s: %s\n", what, why);
    return 1;
}

int pr_cmd_healthcheck(const pr_options *opt)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    char why[256];
    if (!pr_listen_addr_parse(opt->listen, &addr, &addr_len, why, sizeof why))
        return fail("--listen", why);
    to_loopback(&addr);
    in_port_t port = addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
                                                : ((struct sockaddr_in *)&addr)->sin_port;
    if (port == 0)
        return fail(opt->listen, "port 0 names no server to ask");

    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail("socket", strerror(errno));
    /* On Linux SO_SNDTIMEO bounds connect() as well as send(). */
    struct timeval limit = {.tv_sec = TIMEOUT_SECONDS};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    if (connect(fd, (struct sockaddr *)&addr, addr_len) != 0) {
        int e = errno;
        close(fd);
        return fail(opt->listen, strerror(e));
    }
    static const char request[] = "GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (send(fd, request, sizeof request - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof request - 1)) {
        int e = errno;
        close(fd);
        return fail(opt->listen, strerror(e));
    }
    /* The status line is all that is needed: "HTTP/1.x NNN ". */
    char head[64];
    size_t got = 0;
    while (got < sizeof head - 1) {
        ssize_t n = recv(fd, head + got, sizeof head - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    head[got] = '\0';
    if (got < 12 || strncmp(head, "HTTP/1.", 7) != 0)
        return fail(opt->listen, got ? "not an HTTP answer" : "no answer");
    if (strncmp(head + 8, " 200 ", 5) != 0) {
        head[strcspn(head, "\r\n")] = '\0';
        return fail("/readyz", head);
    }
    return 0;
}
