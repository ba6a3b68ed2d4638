/* codecs: what gzip and brotli make of portreg's answers, to decide
 * whether brotli earns a place beside gzip (issue 18). Not built by meson
 * (brotli is not a dependency of portreg); see bench/README.md:
 *
 *   cc -O2 -o codecs bench/codecs.c -lz -lbrotlienc
 *   ./codecs FILE...
 *
 * Each FILE is one answer body. For each codec and level it prints the
 * total compressed size over all files, its ratio to the identity bytes,
 * and the CPU time of one compression of each file, averaged over enough
 * repetitions to take about a tenth of a second. */
#include <brotli/encode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

typedef struct body {
    unsigned char *data;
    size_t len;
} body;

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* portreg's gzip: level 6, window 15, a gzip wrapper (api/encoding.c) */
static size_t gzip_one(const body *b, unsigned char *out, size_t cap, int level)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    z.next_in = b->data;
    z.avail_in = (uInt)b->len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? n : 0;
}

static size_t brotli_one(const body *b, unsigned char *out, size_t cap, int quality)
{
    size_t n = cap;
    return BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, b->len, b->data,
                                 &n, out)
               ? n
               : 0;
}

static void measure(const char *name, int level, const body *bodies, size_t count,
                    size_t (*one)(const body *, unsigned char *, size_t, int), size_t identity)
{
    size_t cap = 0;
    for (size_t i = 0; i < count; i++)
        cap = bodies[i].len > cap ? bodies[i].len : cap;
    cap = cap * 2 + 1024;
    unsigned char *out = malloc(cap);
    if (!out)
        exit(1);
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += one(&bodies[i], out, cap, level);
    int reps = 0;
    double start = cpu_now(), spent;
    do {
        for (size_t i = 0; i < count; i++)
            one(&bodies[i], out, cap, level);
        reps++;
    } while ((spent = cpu_now() - start) < 0.1);
    printf("%-7s %2d  %9zu B  %5.2fx smaller  %8.1f us per answer\n", name, level, total,
           (double)identity / (double)total, spent / reps / (double)count * 1e6);
    free(out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    size_t count = (size_t)argc - 1, identity = 0;
    body *bodies = calloc(count, sizeof *bodies);
    for (size_t i = 0; i < count; i++) {
        FILE *f = fopen(argv[i + 1], "rb");
        if (!f || fseek(f, 0, SEEK_END) != 0) {
            perror(argv[i + 1]);
            return 1;
        }
        long len = ftell(f);
        rewind(f);
        bodies[i].data = malloc((size_t)len + 1);
        bodies[i].len = fread(bodies[i].data, 1, (size_t)len, f);
        fclose(f);
        identity += bodies[i].len;
    }
    printf("%zu answers, %zu B as they are (%.0f B each)\n", count, identity,
           (double)identity / (double)count);
    static const int gzip_levels[] = {1, 6, 9};
    static const int brotli_qualities[] = {4, 5, 9, 11};
    for (size_t i = 0; i < sizeof gzip_levels / sizeof *gzip_levels; i++)
        measure("gzip", gzip_levels[i], bodies, count, gzip_one, identity);
    for (size_t i = 0; i < sizeof brotli_qualities / sizeof *brotli_qualities; i++)
        measure("brotli", brotli_qualities[i], bodies, count, brotli_one, identity);
    for (size_t i = 0; i < count; i++)
        free(bodies[i].data);
    free(bodies);
    return 0;
}
