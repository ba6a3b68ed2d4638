/* deploy_compose.c: the ports of a docker-compose file (see deploy.h for
 * the policy). The syntax is the Compose Specification's: `ports` in short
 * syntax, [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL] with ranges, or long
 * syntax {target, published, host_ip, protocol, name, ...}; and `expose`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy_internal.h"

typedef struct prd_range {
    long first, last;
} prd_range;

/* "8080" or "9000-9005"; false when not that, or out of 1-65535. */
static bool parse_range(const char *s, size_t len, prd_range *out)
{
    const char *dash = memchr(s, '-', len);
    pr_yaml_node a = {.type = PR_YAML_SCALAR, .value = s, .len = dash ? (size_t)(dash - s) : len};
    char buf[16];
    if (a.len == 0 || a.len >= sizeof buf)
        return false;
    memcpy(buf, s, a.len);
    buf[a.len] = '\0';
    a.value = buf;
    if (!pr_yaml_int(&a, 1, 65535, &out->first))
        return false;
    out->last = out->first;
    if (!dash)
        return true;
    size_t blen = len - (size_t)(dash - s) - 1;
    if (blen == 0 || blen >= sizeof buf)
        return false;
    memcpy(buf, dash + 1, blen);
    buf[blen] = '\0';
    a.len = blen;
    return pr_yaml_int(&a, 1, 65535, &out->last) && out->last >= out->first;
}

typedef struct service_ctx {
    prd_reader *r;
    const char *service;
    const char *project_scope;
    const char *service_scope;
    /* container ports already listed in this service, by port and protocol */
    unsigned char seen[PR_PROTO_COUNT][8192];
} service_ctx;

static int add_published(service_ctx *c, prd_range pub, enum pr_proto proto, const char *name,
                         const pr_yaml_node *at, const char *where)
{
    for (long p = pub.first; p <= pub.last; p++) {
        if (c->r->set->count >= c->r->set->max_entries)
            return prd_fail(c->r, at, "more than %zu ports in all: split the check",
                            c->r->set->max_entries);
        pr_check_entry e = {
            .port = (uint16_t)p, .proto = proto, .name = name, .name_syntax_only = true};
        if (prd_add(c->r, &e, at, where, c->service, c->project_scope) != 0)
            return -1;
    }
    return 0;
}

static int add_container(service_ctx *c, prd_range target, enum pr_proto proto, const char *name,
                         const pr_yaml_node *at, const char *port_where)
{
    /* the container's side of a mapping points at the same node as the
     * published side: the place says which side it is */
    const char *where = prd_internf(c->r, "%s, container side", port_where);
    if (!where)
        return -1;
    for (long p = target.first; p <= target.last; p++) {
        unsigned char *bits = c->seen[proto];
        if (bits[p / 8] & (1u << (p % 8)))
            continue;
        bits[p / 8] |= (unsigned char)(1u << (p % 8));
        if (c->r->set->count >= c->r->set->max_entries)
            return prd_fail(c->r, at, "more than %zu ports in all: split the check",
                            c->r->set->max_entries);
        pr_check_entry e = {.port = (uint16_t)p,
                            .proto = proto,
                            .name = name,
                            .use = PR_USE_CLASH_ONLY,
                            .name_syntax_only = true};
        if (prd_add(c->r, &e, at, where, c->service, c->service_scope) != 0)
            return -1;
    }
    return 0;
}

/* Compose's interpolation in a port's text: "${VAR:-default}" and
 * "${VAR-default}" become their default, the port the file chooses when
 * nothing overrides it; "$$" is "$". A variable without a default has no
 * port to judge: false, with the variable's name in *var. */
static bool interpolate(const char *in, char *out, size_t size, char *var, size_t var_size)
{
    size_t n = 0;
    for (const char *p = in; *p;) {
        if (p[0] == '$' && p[1] == '$') {
            if (n + 1 >= size)
                return false;
            out[n++] = '$';
            p += 2;
            continue;
        }
        if (p[0] != '$') {
            if (n + 1 >= size)
                return false;
            out[n++] = *p++;
            continue;
        }
        const char *name = p + 1 + (p[1] == '{');
        size_t len = 0;
        while ((name[len] >= 'A' && name[len] <= 'Z') || (name[len] >= 'a' && name[len] <= 'z') ||
               (name[len] >= '0' && name[len] <= '9') || name[len] == '_')
            len++;
        snprintf(var, var_size, "%.*s", (int)(len < 64 ? len : 64), name);
        if (p[1] != '{' || len == 0)
            return false; /* $VAR: no default to take */
        const char *d = name + len;
        if (d[0] == ':' && d[1] == '-')
            d += 2;
        else if (d[0] == '-')
            d += 1;
        else
            return false;
        const char *close = strchr(d, '}');
        if (!close || (size_t)(close - d) + n >= size)
            return false;
        memcpy(out + n, d, (size_t)(close - d));
        n += (size_t)(close - d);
        p = close + 1;
    }
    out[n] = '\0';
    return true;
}

/* The text of a port: a scalar (YAML may give 8080 as a number), with
 * compose's interpolation done into buf; NULL (and *why set) when it
 * cannot be. */
static const char *port_text_in(const pr_yaml_node *n, char *buf, size_t size, const char **why,
                                char *var, size_t var_size)
{
    const char *t = prd_text(n, 128);
    *why = NULL;
    if (!t)
        return NULL;
    if (!strchr(t, '$'))
        return t;
    if (!interpolate(t, buf, size, var, var_size)) {
        *why = var;
        return NULL;
    }
    return buf;
}

#define PORT_TEXT(node) port_text_in((node), ibuf, sizeof ibuf, &why, var, sizeof var)

/* "[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]", the short syntax. */
static int short_syntax(service_ctx *c, const pr_yaml_node *n, const char *where)
{
    prd_reader *r = c->r;
    char ibuf[160], var[80];
    const char *why;
    const char *s = PORT_TEXT(n);
    if (!s && why)
        return prd_fail(r, n, "%s: the variable %s has no default (${%s:-PORT}): no port to judge",
                        where, var, var);
    if (!s)
        return prd_fail(r, n, "%s: a port must be a number, a string or a mapping", where);
    size_t len = strlen(s);
    enum pr_proto proto = PR_PROTO_TCP;
    const char *slash = memchr(s, '/', len);
    if (slash) {
        if (!prd_proto(slash + 1, len - (size_t)(slash - s) - 1, &proto))
            return prd_fail(r, n, "%s: \"%s\": the protocol after / must be tcp, udp or sctp",
                            where, s);
        len = (size_t)(slash - s);
    }
    /* an IPv6 host address is in brackets: "[::1]:8080:80" */
    size_t from = 0;
    if (len && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close || close + 1 >= s + len || close[1] != ':')
            return prd_fail(r, n, "%s: \"%s\": an IPv6 host address is [ADDRESS]:PORT", where, s);
        from = (size_t)(close - s) + 2;
    }
    /* the parts after any bracketed address, split at colons */
    const char *parts[4];
    size_t lens[4], count = 0;
    for (size_t k = from, begin = from; k <= len; k++) {
        if (k < len && s[k] != ':')
            continue;
        if (count == 4)
            break;
        parts[count] = s + begin;
        lens[count++] = k - begin;
        begin = k + 1;
    }
    /* TARGET; PUBLISHED:TARGET; HOST:PUBLISHED:TARGET; [HOST]:PUBLISHED:TARGET */
    bool shape_ok = from ? count == 2 : count >= 1 && count <= 3;
    if (!shape_ok)
        return prd_fail(r, n,
                        "%s: \"%s\": not [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL] (an IPv6 "
                        "address goes in brackets)",
                        where, s);
    prd_range target, pub;
    const char *ts = parts[count - 1];
    size_t tl = lens[count - 1];
    if (!parse_range(ts, tl, &target))
        return prd_fail(r, n, "%s: \"%s\": the container port must be a port or range of 1-65535",
                        where, s);
    if (count == 1)
        return add_container(c, target, proto, NULL, n, where);
    parts[1] = parts[count - 2];
    lens[1] = lens[count - 2];
    if (lens[1] == 0) /* "127.0.0.1::5000": the host picks the port */
        return add_container(c, target, proto, NULL, n, where);
    if (!parse_range(parts[1], lens[1], &pub)) {
        /* "127.0.0.1:5000": an address then the container port is not compose's syntax */
        return prd_fail(r, n, "%s: \"%s\": the published port must be a port or range of 1-65535",
                        where, s);
    }
    if (target.last != target.first && pub.last - pub.first != target.last - target.first)
        return prd_fail(r, n,
                        "%s: \"%s\": the published range and the container range differ in size",
                        where, s);
    if (add_container(c, target, proto, NULL, n, where) != 0)
        return -1;
    return add_published(c, pub, proto, NULL, n, where);
}

/* {target, published, host_ip, protocol, mode, name, app_protocol}. */
static int long_syntax(service_ctx *c, const pr_yaml_node *n, const char *where)
{
    prd_reader *r = c->r;
    const pr_yaml_node *t = pr_yaml_get(n, "target"), *p = pr_yaml_get(n, "published"),
                       *pr = pr_yaml_get(n, "protocol");
    prd_range target, pub;
    char ibuf[160], var[80];
    const char *why;
    const char *ts = PORT_TEXT(t);
    if (!ts && why)
        return prd_fail(r, t, "%s: the variable %s has no default: no port to judge", where, var);
    if (!ts || !parse_range(ts, strlen(ts), &target))
        return prd_fail(r, t ? t : n, "%s: target must be a port of 1-65535", where);
    enum pr_proto proto = PR_PROTO_TCP;
    const char *ps = pr ? prd_text(pr, 8) : NULL;
    if (pr && (!ps || !prd_proto(ps, strlen(ps), &proto)))
        return prd_fail(r, pr, "%s: protocol must be tcp, udp or sctp", where);
    bool ok;
    const char *name = prd_name(r, pr_yaml_get(n, "name"), &ok);
    if (!ok)
        return -1;
    if (add_container(c, target, proto, name, t, where) != 0)
        return -1;
    if (!p || pr_yaml_is_null(p))
        return 0;
    const char *pubs = PORT_TEXT(p);
    if (!pubs && why)
        return prd_fail(r, p, "%s: the variable %s has no default: no port to judge", where, var);
    if (!pubs || !parse_range(pubs, strlen(pubs), &pub))
        return prd_fail(r, p, "%s: published must be a port or range of 1-65535", where);
    return add_published(c, pub, proto, name, p, where);
}

static int read_service(service_ctx *c, const pr_yaml_node *svc)
{
    prd_reader *r = c->r;
    const pr_yaml_node *ports = pr_yaml_get(svc, "ports"), *expose = pr_yaml_get(svc, "expose");
    if (ports && !pr_yaml_is_null(ports) && ports->type != PR_YAML_SEQUENCE)
        return prd_fail(r, ports, "service %s: ports must be a list", c->service);
    for (size_t i = 0; ports && ports->type == PR_YAML_SEQUENCE && i < ports->count; i++) {
        const pr_yaml_node *item = ports->items[i];
        const char *where = prd_internf(r, "service %s, ports[%zu]", c->service, i);
        if (!where)
            return -1;
        int rc = item->type == PR_YAML_MAPPING ? long_syntax(c, item, where)
                                               : short_syntax(c, item, where);
        if (rc != 0)
            return -1;
    }
    if (expose && !pr_yaml_is_null(expose) && expose->type != PR_YAML_SEQUENCE)
        return prd_fail(r, expose, "service %s: expose must be a list", c->service);
    for (size_t i = 0; expose && expose->type == PR_YAML_SEQUENCE && i < expose->count; i++) {
        const pr_yaml_node *item = expose->items[i];
        const char *where = prd_internf(r, "service %s, expose[%zu]", c->service, i);
        char ibuf[160], var[80];
        const char *why;
        const char *s = PORT_TEXT(item);
        if (!where)
            return -1;
        if (!s && why)
            return prd_fail(r, item, "%s: the variable %s has no default: no port to judge", where,
                            var);
        if (!s)
            return prd_fail(r, item, "%s: must be a port, a range, or either with /PROTOCOL",
                            where);
        size_t len = strlen(s);
        enum pr_proto proto = PR_PROTO_TCP;
        const char *slash = memchr(s, '/', len);
        if (slash && !prd_proto(slash + 1, len - (size_t)(slash - s) - 1, &proto))
            return prd_fail(r, item, "%s: the protocol after / must be tcp, udp or sctp", where);
        prd_range target;
        if (!parse_range(s, slash ? (size_t)(slash - s) : len, &target))
            return prd_fail(r, item, "%s: must be a port or range of 1-65535", where);
        if (add_container(c, target, proto, NULL, item, where) != 0)
            return -1;
    }
    return 0;
}

/* The project's name: `name:`, else the directory the file is in, as
 * compose itself names a project. */
static const char *project_name(prd_reader *r, const pr_yaml_node *doc)
{
    const char *name = prd_text(pr_yaml_get(doc, "name"), 128);
    if (name)
        return prd_intern(r, name, strlen(name));
    const char *file = r->file, *slash = strrchr(file, '/');
    if (!slash)
        return prd_intern(r, ".", 1);
    const char *start = slash;
    while (start > file && start[-1] != '/')
        start--;
    if (start == slash)
        return prd_intern(r, "/", 1);
    return prd_intern(r, start, (size_t)(slash - start));
}

int prd_read_compose(prd_reader *r, const pr_yaml_node *doc)
{
    const pr_yaml_node *services = pr_yaml_get(doc, "services");
    if (pr_yaml_is_null(services))
        return 0;
    if (services->type != PR_YAML_MAPPING)
        return prd_fail(r, services, "services must be a mapping of service names");
    const char *project = project_name(r, doc);
    const char *scope = project ? prd_internf(r, "compose project %s", project) : NULL;
    if (!scope)
        return -1;
    service_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return prd_fail(r, NULL, "out of memory");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i + 1 < services->count; i += 2) {
        const pr_yaml_node *key = services->items[i], *svc = services->items[i + 1];
        const char *name = prd_text(key, 128);
        if (!name) {
            rc = prd_fail(r, key, "a service's name must be text of 1 to 128 bytes");
            break;
        }
        if (pr_yaml_is_null(svc))
            continue;
        if (svc->type != PR_YAML_MAPPING) {
            rc = prd_fail(r, svc, "service %s must be a mapping", name);
            break;
        }
        memset(c, 0, sizeof *c);
        c->r = r;
        c->service = prd_intern(r, name, strlen(name));
        c->project_scope = scope;
        c->service_scope = prd_internf(r, "compose project %s, service %s", project, name);
        rc = c->service && c->service_scope ? read_service(c, svc) : -1;
    }
    free(c);
    return rc;
}
