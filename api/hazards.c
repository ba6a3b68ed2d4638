/* hazards.c: the host hazards of a port choice (see hazards.h). */
#include "hazards.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A message is a sentence cut to size; every caller's text is ASCII, so
 * a cut splits no character. */
__attribute__((format(printf, 3, 4))) static void say(char *buf, size_t size, const char *fmt, ...)
{
    if (size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0)
        buf[0] = '\0';
}

static const char *const names[PR_HAZARD_COUNT] = {
    [PR_HAZARD_LINUX_EPHEMERAL] = "linux_ephemeral",
    [PR_HAZARD_WINDOWS_DYNAMIC] = "windows_dynamic",
    [PR_HAZARD_BROWSER] = "browser_blocked",
    [PR_HAZARD_NODE_PORT] = "node_port_range",
};

const char *pr_hazard_name(enum pr_hazard h)
{
    return (unsigned)h < PR_HAZARD_COUNT ? names[h] : "";
}

bool pr_hazards_parse(const char *text, size_t len, unsigned *off)
{
    if (len == 3 && memcmp(text, "all", 3) == 0) {
        *off = 0;
        return true;
    }
    if (len == 4 && memcmp(text, "none", 4) == 0) {
        *off = (1u << PR_HAZARD_COUNT) - 1;
        return true;
    }
    unsigned on = 0;
    size_t i = 0;
    while (i <= len) {
        size_t end = i;
        while (end < len && text[end] != ',')
            end++;
        int found = -1;
        for (int h = 0; h < PR_HAZARD_COUNT && found < 0; h++)
            if (strlen(names[h]) == end - i && memcmp(names[h], text + i, end - i) == 0)
                found = h;
        if (found < 0)
            return false;
        on |= 1u << found;
        i = end + 1;
    }
    *off = ((1u << PR_HAZARD_COUNT) - 1) & ~on;
    return true;
}

/* The Fetch standard's bad ports (fetch.spec.whatwg.org, "port blocking"),
 * as of the addition of 4190 and 6679 in 2024. */
static const uint16_t bad_ports[] = {
    1,    7,    9,    11,   13,   15,   17,   19,   20,   21,   22,   23,    25,   37,
    42,   43,   53,   69,   77,   79,   87,   95,   101,  102,  103,  104,   109,  110,
    111,  113,  115,  117,  119,  123,  135,  137,  139,  143,  161,  179,   389,  427,
    465,  512,  513,  514,  515,  526,  530,  531,  532,  540,  548,  554,   556,  563,
    587,  601,  636,  989,  990,  993,  995,  1719, 1720, 1723, 2049, 3659,  4045, 4190,
    5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
};

static bool browser_blocked(uint16_t port)
{
    for (size_t i = 0; i < sizeof bad_ports / sizeof *bad_ports; i++)
        if (bad_ports[i] == port)
            return true;
    return false;
}

bool pr_hazard_hit(const pr_check_options *opt, enum pr_hazard h, uint16_t port,
                   enum pr_proto proto, enum pr_port_use use, char *msg, size_t size)
{
    if ((unsigned)h >= PR_HAZARD_COUNT || (opt->hazards_off & (1u << h)) ||
        use == PR_USE_CLASH_ONLY || (use == PR_USE_VIRTUAL && h != PR_HAZARD_BROWSER))
        return false;
    /* without msg only the answer is wanted: suggestions ask it of tens of
     * thousands of ports, and formatting a sentence for each cost seconds
     * under the sanitizers */
    char scratch[1];
    if (!msg) {
        msg = scratch;
        size = 0;
    }
    switch (h) {
    case PR_HAZARD_LINUX_EPHEMERAL: {
        bool local = opt->ephemeral_first || opt->ephemeral_last;
        unsigned first = local ? opt->ephemeral_first : 32768;
        unsigned last = local ? opt->ephemeral_last : 60999;
        if (port < first || port > last)
            return false;
        /* the kernel never hands out a port of ip_local_reserved_ports */
        if (opt->reserved && (opt->reserved[port / 8] & (1u << (port % 8))))
            return false;
        say(msg, size,
            "%u is in %s ephemeral range (%u-%u): an outgoing connection may hold it "
            "when the service starts",
            (unsigned)port, local ? "this machine's" : "Linux's default", first, last);
        return true;
    }
    case PR_HAZARD_WINDOWS_DYNAMIC:
        if (port < 49152 || (proto != PR_PROTO_TCP && proto != PR_PROTO_UDP))
            return false;
        say(msg, size,
            "%u is in Windows' dynamic range (49152-65535): an outgoing connection may "
            "hold it",
            (unsigned)port);
        return true;
    case PR_HAZARD_BROWSER:
        /* HTTP runs over tcp, and over udp with HTTP/3 */
        if ((proto != PR_PROTO_TCP && proto != PR_PROTO_UDP) || !browser_blocked(port))
            return false;
        say(msg, size, "%u is a bad port of the Fetch standard: browsers refuse to connect to it",
            (unsigned)port);
        return true;
    case PR_HAZARD_NODE_PORT: {
        bool inside = port >= PR_NODE_PORT_FIRST && port <= PR_NODE_PORT_LAST;
        if (use == PR_USE_NODE_PORT && !inside) {
            say(msg, size,
                "nodePort %u is outside Kubernetes' default NodePort range (%d-%d): the "
                "API server refuses it unless --service-node-port-range says otherwise",
                (unsigned)port, PR_NODE_PORT_FIRST, PR_NODE_PORT_LAST);
            return true;
        }
        if (use == PR_USE_NODE_PORT || !inside)
            return false;
        say(msg, size,
            "%u is in Kubernetes' default NodePort range (%d-%d): on a node, a "
            "Service's nodePort may take it",
            (unsigned)port, PR_NODE_PORT_FIRST, PR_NODE_PORT_LAST);
        return true;
    }
    default:
        return false;
    }
}

bool pr_hazard_any(const pr_check_options *opt, uint16_t port, enum pr_proto proto,
                   enum pr_port_use use)
{
    for (int h = 0; h < PR_HAZARD_COUNT; h++)
        if (pr_hazard_hit(opt, (enum pr_hazard)h, port, proto, use, NULL, 0))
            return true;
    return false;
}

/* Reads a small /proc file whole into buf; false when it cannot. */
static bool read_small(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, size - 1, f);
    bool whole = n < size - 1 || feof(f);
    fclose(f);
    buf[n] = '\0';
    return whole;
}

static bool read_number(const char **s, unsigned *out)
{
    const char *p = *s;
    unsigned v = 0;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (unsigned)(*p++ - '0');
        if (v > 65535)
            return false;
    }
    *out = v;
    *s = p;
    return true;
}

int pr_hazards_read_local(pr_check_options *opt, uint8_t *reserved, const char *range_path,
                          const char *reserved_path, char *err, size_t err_size)
{
    char buf[65536];
    unsigned first, last;
    const char *s = buf;
    if (!read_small(range_path, buf, 64)) {
        say(err, err_size, "%s: cannot read it", range_path);
        return -1;
    }
    if (!read_number(&s, &first) || !(s += strspn(s, " \t"), read_number(&s, &last)) ||
        first == 0 || first > last) {
        say(err, err_size, "%s: not two ports, low then high", range_path);
        return -1;
    }
    opt->ephemeral_first = (uint16_t)first;
    opt->ephemeral_last = (uint16_t)last;
    if (!reserved_path || !read_small(reserved_path, buf, sizeof buf))
        return 0; /* no file: no port is reserved */
    memset(reserved, 0, PR_RESERVED_BYTES);
    s = buf;
    s += strspn(s, " \t\n");
    while (*s) {
        unsigned a, b;
        if (!read_number(&s, &a)) {
            say(err, err_size, "%s: not a list of ports and ranges", reserved_path);
            return -1;
        }
        b = a;
        if (*s == '-' && (s++, !read_number(&s, &b) || b < a)) {
            say(err, err_size, "%s: not a list of ports and ranges", reserved_path);
            return -1;
        }
        for (unsigned p = a; p <= b; p++)
            reserved[p / 8] |= (uint8_t)(1u << (p % 8));
        s += strspn(s, ", \t\n");
    }
    opt->reserved = reserved;
    return 0;
}
