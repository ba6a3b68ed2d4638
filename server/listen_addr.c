/* listen_addr.c: HOST:PORT into a sockaddr (see listen_addr.h). */
#include "listen_addr.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pr_listen_addr_parse(const char *text, struct sockaddr_storage *out, socklen_t *out_len,
                          char *why, size_t why_size)
{
    char host[256];
    const char *port;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host) {
            snprintf(why, why_size, "\"%.80s\" is not [IPv6]:PORT", text);
            return false;
        }
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        port = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon || colon == text || (size_t)(colon - text) >= sizeof host ||
            memchr(text, ':', (size_t)(colon - text))) {
            snprintf(why, why_size, "\"%.80s\" is not HOST:PORT", text);
            return false;
        }
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        port = colon + 1;
    }
    char *end;
    long number = strtol(port, &end, 10);
    if (!*port || *end || port[0] == '-' || port[0] == '+' || number < 0 || number > 65535) {
        snprintf(why, why_size, "\"%.80s\" is not a port (0-65535)", port);
        return false;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(why, why_size, "cannot resolve \"%.80s\": %s", host, gai_strerror(rc));
        return false;
    }
    memcpy(out, res->ai_addr, res->ai_addrlen);
    *out_len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}
