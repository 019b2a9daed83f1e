/* textenc.h — text from input files (DBF attributes, CSV cells) decoded to
 * UTF-8 with iconv, whatever code page it was written in. Shared by the map
 * loader, the map builder and the sites reader, so that a code page means
 * the same everywhere. Every function is thread-safe (no shared state). */
#ifndef TOWNCOV_TEXTENC_H
#define TOWNCOV_TEXTENC_H

#include <stddef.h>

/* Longest encoding name we store. An encoding name is an iconv name, ""
 * (guess: UTF-8 when the text is valid UTF-8, else GB18030), or
 * TEXTENC_UTF8_ELSE followed by an iconv name (UTF-8 when valid, else that
 * one: what a "current ANSI" language driver means in practice). */
#define TEXTENC_NAME_MAX 64
#define TEXTENC_UTF8_ELSE "utf-8-else:"

/* The iconv name for a scenario setting: "auto" or "" -> "" (guess),
 * "utf-8" -> "UTF-8", "gbk" -> "GB18030" (a superset of GBK, CP936 and
 * GB2312), anything else as written when iconv knows it (latin1, cp1252,
 * big5...). Returns 0, or -1 when iconv knows no such encoding. */
int textenc_from_setting(const char *setting, char *name, size_t size);

/* The iconv name for what shapelib's DBFGetCodePage() says: the .cpg's text
 * ("UTF-8", "936", "CP1252", "ANSI 1251", "8859-1"...) or the header's
 * language driver as "LDID/N", mapped as GDAL maps them (87, "current
 * ANSI", to TEXTENC_UTF8_ELSE "ISO-8859-1"). "" when it says
 * nothing usable (no .cpg, language driver 0 or one without a code page):
 * then each string is guessed. Returns 0, or -1 for a .cpg naming an
 * encoding iconv does not know (name then holds what was asked). */
int textenc_from_codepage(const char *codepage, char *name, size_t size);

/* Whether s[0..len) is valid UTF-8. */
int textenc_valid_utf8(const char *s, size_t len);

/* Whether s has bytes outside ASCII (where encodings differ). */
int textenc_has_non_ascii(const char *s);

/* The length of the longest prefix of the UTF-8 text s[0..len) that is at
 * most max bytes and ends on a character boundary (for output limits). */
size_t textenc_utf8_prefix(const char *s, size_t len, size_t max);

/* Decodes in[0..len) from `encoding` (see TEXTENC_NAME_MAX) into a new NUL-terminated UTF-8 string the
 * caller frees. Trailing blanks are dropped first (DBF pads with them).
 * When the text ends in an incomplete multi-byte character — a writer cut
 * it at its field width — that character is dropped and *cut set to 1
 * (cut may be NULL). Returns NULL for text not valid in the encoding (or
 * out of memory: errno says which, EILSEQ or ENOMEM). */
char *textenc_decode(const char *encoding, const char *in, size_t len, int *cut);

#endif
