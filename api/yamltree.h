/* yamltree.h: a YAML stream read by libyaml into a small, bounded tree.
 *
 * libyaml (Debian's libyaml-dev, pkg-config yaml-0.1) is a real YAML 1.1
 * parser that gives a mark (line, column) with every event; its event API
 * is used rather than its document loader so that every limit below is
 * enforced while reading, before memory is spent: the input's size, the
 * nesting depth, the count of nodes and of aliases. An alias is not copied
 * but refers to the node its anchor names, so a "billion laughs" document
 * costs one node per alias, and is refused past PR_YAML_MAX_ALIASES.
 * An anchor becomes usable only once its node ends, so no node can contain
 * itself: the tree has no cycles.
 *
 * Ownership: pr_yaml_load returns a tree the caller frees with
 * pr_yaml_free; every node and string in it lives as long as the tree.
 * Errors: NULL, with "line L, column C: problem" (or a whole-input
 * problem) in the caller's buffer. Threads: no shared state. */
#ifndef PR_YAMLTREE_H
#define PR_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PR_YAML_MAX_BYTES   (1024 * 1024) /* a deployment file; larger is refused */
#define PR_YAML_MAX_DEPTH   64            /* collections inside collections */
#define PR_YAML_MAX_NODES   200000
#define PR_YAML_MAX_ALIASES 1000
#define PR_YAML_MAX_DOCS    1000

enum pr_yaml_type { PR_YAML_SCALAR, PR_YAML_SEQUENCE, PR_YAML_MAPPING };

typedef struct pr_yaml_node {
    enum pr_yaml_type type;
    unsigned line, column; /* 1-based, of the node's start */
    bool plain;            /* a plain (unquoted) scalar: may be a number, null, bool */
    const char *value;     /* SCALAR: NUL-terminated (may hold NULs; see len) */
    size_t len;
    struct pr_yaml_node **items; /* SEQUENCE: items; MAPPING: key, value, key, value... */
    size_t count;                /* SEQUENCE: items; MAPPING: keys times two */
} pr_yaml_node;

typedef struct pr_yaml_tree {
    pr_yaml_node **docs; /* each document's root */
    size_t doc_count;
    /* private: every allocation, to free them together */
    void **_blocks;
    size_t _block_count, _block_cap;
} pr_yaml_tree;

/* Reads every document of text[0..len). NULL on a syntax error, a limit
 * passed or no memory, with the reason in err (size > 0). */
pr_yaml_tree *pr_yaml_load(const char *text, size_t len, char *err, size_t err_size);
void pr_yaml_free(pr_yaml_tree *tree);

/* The value of a mapping's key (a scalar key equal to `key`), or NULL;
 * NULL too when map is not a mapping. Keys merged with "<<" are looked up
 * after the mapping's own (YAML's merge key type), at most a few deep. */
const pr_yaml_node *pr_yaml_get(const pr_yaml_node *map, const char *key);

/* Is the node a plain null scalar ("", "~", "null")? */
bool pr_yaml_is_null(const pr_yaml_node *n);

/* A scalar as an integer in [min, max]: plain decimal digits (a sign for
 * negatives); false otherwise. */
bool pr_yaml_int(const pr_yaml_node *n, long min, long max, long *out);

#endif
