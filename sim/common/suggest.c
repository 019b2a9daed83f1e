/* suggest.c — "did you mean ...?": the nearest of a few names by edit
 * distance (optimal string alignment: insertions, deletions, substitutions
 * and swaps of two neighbours cost 1). */
#include <ctype.h>
#include <string.h>

#include "towncov/common.h"

#define WORD_MAX 64

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

/* The distance between a and b, or WORD_MAX when either is too long. */
static int distance(const char *a, const char *b)
{
    int n = (int)strlen(a), m = (int)strlen(b);
    if (n >= WORD_MAX || m >= WORD_MAX)
        return WORD_MAX;
    int d[WORD_MAX + 1][WORD_MAX + 1];
    for (int i = 0; i <= n; i++)
        d[i][0] = i;
    for (int j = 0; j <= m; j++)
        d[0][j] = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[n][m];
}

const char *tc_closest(const char *word, const char *const *cands, int n)
{
    int len = (int)strlen(word), limit = len / 3 > 1 ? len / 3 : 1;
    const char *best = NULL;
    int best_d = limit + 1;
    for (int i = 0; i < n; i++) {
        int d = distance(word, cands[i]);
        if (d < best_d) { /* the first of equals: the caller's order decides */
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}
