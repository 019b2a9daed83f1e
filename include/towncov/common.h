/* common.h — types shared by every stage of the towncov pipeline:
 * error reports, township kinds, scenario key descriptors, exit codes.
 * It depends on nothing else in towncov, so any module may include it. */
#ifndef TOWNCOV_COMMON_H
#define TOWNCOV_COMMON_H

#include <stddef.h>
#include <stdio.h>

#define TC_STR_MAX 512   /* longest string value a scenario key may hold */
#define TC_PATH_MAX 2048 /* paths built from scenario values (folder + file) */

/* An error report a caller owns and a callee fills: functions return 0 on
 * success or a negative value on failure, with the message here (PROJ/GEOS
 * style per-context error state; no process-wide error buffer). */
struct tc_error {
    int exit_code;  /* documented exit status main() should use (TC_EXIT_*) */
    char msg[2048];
};

/* Documented exit statuses (README "Exit status", towncov --help). */
enum tc_exit {
    TC_EXIT_OK = 0,
    TC_EXIT_GOAL_FAILED = 0, /* a failed goal is a result, not an error */
    TC_EXIT_USAGE = 2,       /* bad command line */
    TC_EXIT_SCENARIO = 3,    /* scenario file: syntax, unknown key, bad value */
    TC_EXIT_MAP = 4,         /* map shapefile, .prj, .cpg, attributes */
    TC_EXIT_SITES = 5,       /* sites CSV */
    TC_EXIT_RESOURCE = 6,    /* a limit (memory estimate, shapefile size) */
    TC_EXIT_OUTPUT = 7,      /* cannot write outputs */
    TC_EXIT_INTERNAL = 8,    /* a library failed or an invariant broke */
    TC_EXIT_INTERRUPTED = 130
};

/* Sets err (if not NULL) with a printf-style message and exit code; returns -1
 * so that callers can write `return tc_fail(err, ...)`. */
int tc_fail(struct tc_error *err, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Township kinds, from the map's kind attribute (or the name's ending). */
enum tc_kind { KIND_SUBDISTRICT, KIND_TOWN, KIND_TOWNSHIP, KIND_SPECIAL, KIND_COUNT };

/* "subdistrict", "town", "township", "special". */
const char *tc_kind_name(enum tc_kind kind);
/* Parses a kind name; returns -1 when it is not one. */
int tc_kind_parse(const char *text);
/* Guesses a kind from a Chinese township name's ending (街道/办事处, 镇, 乡;
 * anything else is special). */
enum tc_kind tc_kind_from_name(const char *utf8_name);

/* Scenario keys are described by tables, so that parsing, range checks,
 * defaults, --set overrides and the README reference share one source. */
enum key_type { KEY_INT, KEY_DOUBLE, KEY_BOOL, KEY_STRING, KEY_ENUM,
                KEY_ENCODING /* a text encoding: auto, utf-8, gbk or an iconv name */ };

struct key_desc {
    const char *section;
    const char *name;
    enum key_type type;
    size_t offset;              /* of the field in the owning config struct:
                                   long for INT, double for DOUBLE, int for
                                   BOOL and ENUM, char[TC_STR_MAX] for STRING
                                   and ENCODING */
    double min, max;            /* inclusive range for INT and DOUBLE */
    const char *const *choices; /* NULL-terminated, for ENUM (stored as index) */
    const char *def;            /* default, written as in a scenario file */
    const char *unit;           /* "m", "dBm", "" ... */
    const char *doc;            /* one line for the README and --help */
};

/* Bytes a key's value takes in its config struct (see key_desc.offset). */
size_t tc_key_size(const struct key_desc *d);

/* Whether the configs a and b (structs that keys[0..n-1] describe) hold
 * the same value for every key: numbers bit for bit, text up to its NUL.
 * Padding and text past the NUL are never read, so two configs filled
 * by different paths compare by what they say. */
int tc_keys_equal(const struct key_desc *keys, int n, const void *a, const void *b);

/* SIGINT/SIGTERM: tc_signals_install makes them set a flag that long loops
 * poll with tc_interrupted(), so a run stops cleanly (temporary outputs
 * removed, earlier outputs intact) instead of dying mid-write. The flag is
 * the one process-wide state in towncov: signals are process-wide. */
void tc_signals_install(void);
int tc_interrupted(void);
/* For tests and embedding: clears the flag. */
void tc_interrupt_reset(void);

/* Monotonic wall clock in seconds. */
double tc_now(void);

/* Resizes the array *p to n elements of size bytes (realloc, with the
 * multiplication checked); on failure returns -1 and leaves *p as it was. */
int tc_resize(void **p, size_t n, size_t size);

/* Makes room for at least `need` elements of `size` bytes in the growable
 * array *p whose capacity is *cap (doubling, through tc_resize). Returns 0,
 * or -1 when out of memory with *p and *cap as they were. */
int tc_reserve(void **p, size_t *cap, size_t need, size_t size);

/* The same for two parallel arrays of doubles sharing one capacity
 * (coordinates). On failure both stay valid and *cap as it was. */
int tc_reserve_xy(double **x, double **y, size_t *cap, size_t need);

/* Writes v with `decimals` (0..15) digits after the point into buf (at
 * least TC_FIXED_MAX bytes), byte for byte what printf's "%.*f" writes,
 * at a fraction of its cost (reports of millions of stations); returns
 * the length. */
#define TC_FIXED_MAX 352
int tc_format_fixed(char *buf, double v, int decimals);

/* fclose(f), and an output error naming path (exit 7) if writing or
 * closing failed. */
int tc_fclose_checked(FILE *f, const char *path, struct tc_error *err);

#endif
