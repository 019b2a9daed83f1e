/* textenc.c — input text to UTF-8 (see textenc.h). */
#include "towncov/textenc.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* dBase language-driver ids and their Windows code pages, as GDAL's
 * shapefile driver maps them (87, "current ANSI", GDAL reads as
 * ISO-8859-1; 0 and unlisted ids say nothing). */
static const struct { int ldid; int codepage; } ldid_table[] = {
    {1, 437},    {2, 850},    {3, 1252},   {4, 10000},  {8, 865},    {10, 850},
    {11, 437},   {13, 437},   {14, 850},   {15, 437},   {16, 850},   {17, 437},
    {18, 850},   {19, 932},   {20, 850},   {21, 437},   {22, 850},   {23, 865},
    {24, 437},   {25, 437},   {26, 850},   {27, 437},   {28, 863},   {29, 850},
    {31, 852},   {34, 852},   {35, 852},   {36, 860},   {37, 850},   {38, 866},
    {55, 850},   {64, 852},   {77, 936},   {78, 949},   {79, 950},   {80, 874},
    {87, 28591}, {88, 1252},  {89, 1252},  {100, 852},  {101, 866},  {102, 865},
    {103, 861},  {104, 895},  {105, 620},  {106, 737},  {107, 857},  {108, 863},
    {120, 950},  {121, 949},  {122, 936},  {123, 932},  {124, 874},  {134, 737},
    {135, 852},  {136, 857},  {150, 10007}, {151, 10029}, {200, 1250}, {201, 1251},
    {202, 1254}, {203, 1253}, {204, 1257},
};

static int iconv_knows(const char *name)
{
    size_t k = strlen(TEXTENC_UTF8_ELSE);
    if (strncmp(name, TEXTENC_UTF8_ELSE, k) == 0)
        name += k;
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return 0;
    iconv_close(cd);
    return 1;
}

/* The iconv name of a Windows code page number. */
static void codepage_name(int cp, char *name, size_t size)
{
    if (cp == 936)
        snprintf(name, size, "GB18030"); /* a superset: what GBK writers emit */
    else if (cp == 28591)
        snprintf(name, size, "ISO-8859-1");
    else if (cp == 10000)
        snprintf(name, size, "MACINTOSH");
    else if (cp == 65001)
        snprintf(name, size, "UTF-8");
    else
        snprintf(name, size, "CP%d", cp);
}

int textenc_from_setting(const char *setting, char *name, size_t size)
{
    name[0] = '\0';
    if (!setting[0] || strcasecmp(setting, "auto") == 0)
        return 0;
    if (strcasecmp(setting, "utf-8") == 0 || strcasecmp(setting, "utf8") == 0)
        snprintf(name, size, "UTF-8");
    else if (strcasecmp(setting, "gbk") == 0 || strcasecmp(setting, "gb2312") == 0 ||
             strcasecmp(setting, "cp936") == 0)
        snprintf(name, size, "GB18030");
    else
        snprintf(name, size, "%s", setting);
    return iconv_knows(name) ? 0 : -1;
}

static int from_ldid(int ldid, char *name, size_t size)
{
    for (size_t i = 0; i < sizeof ldid_table / sizeof ldid_table[0]; i++)
        if (ldid_table[i].ldid == ldid) {
            char cp[TEXTENC_NAME_MAX];
            codepage_name(ldid_table[i].codepage, cp, sizeof cp);
            if (!iconv_knows(cp))
                return 0; /* a code page this system lacks: guess */
            /* 87, "current ANSI", is what most writers (shapelib too) put in
             * every file whatever they wrote: UTF-8 text stays UTF-8. */
            snprintf(name, size, "%s%s", ldid == 87 ? TEXTENC_UTF8_ELSE : "", cp);
            return 0;
        }
    return 0;
}

int textenc_from_codepage(const char *codepage, char *name, size_t size)
{
    name[0] = '\0';
    if (!codepage)
        return 0;
    while (isspace((unsigned char)*codepage))
        codepage++;
    size_t n = strlen(codepage);
    while (n && isspace((unsigned char)codepage[n - 1]))
        n--;
    if (n == 0)
        return 0;
    if (n > 5 && strncasecmp(codepage, "LDID/", 5) == 0)
        return from_ldid(atoi(codepage + 5), name, size);
    const char *p = codepage;
    if (strncasecmp(p, "ANSI ", 5) == 0 || strncasecmp(p, "OEM ", 4) == 0)
        p = strchr(p, ' ') + 1; /* ESRI's "ANSI 1251" */
    size_t digits = strspn(p, "0123456789");
    size_t len = n - (size_t)(p - codepage);
    if (len >= 4 && strncmp(p, "8859", 4) == 0) /* ESRI's "8859-1", "88591" */
        snprintf(name, size, "ISO-8859-%s", p[4] == '-' ? p + 5 : p + 4);
    else if (digits == len)
        codepage_name(atoi(p), name, size);
    else if (strncasecmp(p, "GB", 2) == 0 && strncasecmp(p, "GB18030", 7) != 0)
        snprintf(name, size, "GB18030"); /* GBK, GB2312 */
    else
        snprintf(name, size, "%.*s", (int)len, p);
    if (strlen(name) != strcspn(name, " \t\r\n") || !iconv_knows(name)) {
        snprintf(name, size, "%.*s", (int)n, codepage);
        return -1;
    }
    return 0;
}

/* Bytes of the UTF-8 character starting at s (at most left bytes), 0 when
 * it is not a valid one, -1 when it is a valid start cut short by the end
 * of the text. Rejects overlong forms, surrogates and values past U+10FFFF. */
static int utf8_char(const unsigned char *s, size_t left)
{
    if (s[0] < 0x80)
        return 1;
    int n;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        n = 3;
        if (s[0] == 0xE0) lo = 0xA0;
        if (s[0] == 0xED) hi = 0x9F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        n = 4;
        if (s[0] == 0xF0) lo = 0x90;
        if (s[0] == 0xF4) hi = 0x8F;
    } else
        return 0;
    for (int i = 1; i < n; i++) {
        if ((size_t)i >= left)
            return -1;
        unsigned lim_lo = i == 1 ? lo : 0x80, lim_hi = i == 1 ? hi : 0xBF;
        if (s[i] < lim_lo || s[i] > lim_hi)
            return 0;
    }
    return n;
}

/* Length of the valid UTF-8 text in s[0..len): len when all of it is
 * valid; the offset of an incomplete final character when only that is
 * wrong (*cut = 1); (size_t)-1 when something else is invalid. */
static size_t utf8_scan(const char *s, size_t len, int *cut)
{
    const unsigned char *u = (const unsigned char *)s;
    *cut = 0;
    for (size_t i = 0; i < len;) {
        int n = utf8_char(u + i, len - i);
        if (n == 0 || (n > 0 && u[i] == 0))
            return (size_t)-1;
        if (n < 0) {
            *cut = 1;
            return i;
        }
        i += (size_t)n;
    }
    return len;
}

int textenc_valid_utf8(const char *s, size_t len)
{
    int cut;
    return utf8_scan(s, len, &cut) == len;
}

int textenc_has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

size_t textenc_utf8_prefix(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

static char *copy_text(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    if (!out) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

/* iconv into a growing buffer; an incomplete final sequence (EINVAL) is a
 * writer's cut: what came before is kept. */
static char *convert(const char *from, const char *in, size_t len, int *cut)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) {
        errno = EILSEQ;
        return NULL;
    }
    size_t cap = 4 * len + 8, used = 0;
    char *out = malloc(cap);
    char *src = (char *)in;
    size_t left = len;
    int ok = out != NULL, e = ENOMEM;
    while (ok && left > 0) {
        char *dst = out + used;
        size_t room = cap - used - 1;
        size_t r = iconv(cd, &src, &left, &dst, &room);
        used = (size_t)(dst - out);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG) {
            char *grown = realloc(out, cap *= 2);
            ok = grown != NULL;
            if (ok)
                out = grown;
        } else if (errno == EINVAL) {
            *cut = 1;
            break;
        } else {
            ok = 0;
            e = EILSEQ;
        }
    }
    iconv_close(cd);
    if (!ok) {
        free(out);
        errno = e;
        return NULL;
    }
    out[used] = '\0';
    if (strlen(out) != used) { /* a NUL decoded from the input */
        free(out);
        errno = EILSEQ;
        return NULL;
    }
    return out;
}

char *textenc_decode(const char *encoding, const char *in, size_t len, int *cut)
{
    int dummy;
    if (!cut)
        cut = &dummy;
    *cut = 0;
    while (len && (in[len - 1] == ' ' || in[len - 1] == '\0'))
        len--;
    int want_utf8 = strcmp(encoding, "UTF-8") == 0;
    size_t else_len = strlen(TEXTENC_UTF8_ELSE);
    int utf8_first = !encoding[0] || strncmp(encoding, TEXTENC_UTF8_ELSE, else_len) == 0;
    if (utf8_first && encoding[0])
        encoding += else_len;
    if (want_utf8 || utf8_first) {
        size_t ok = utf8_scan(in, len, cut);
        if (ok != (size_t)-1)
            return copy_text(in, ok);
        if (want_utf8) {
            errno = EILSEQ;
            return NULL;
        }
    }
    return convert(encoding[0] ? encoding : "GB18030", in, len, cut);
}
