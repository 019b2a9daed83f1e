/* province.c — the terminal summary's "By province" block, for maps that
 * span provinces (the national map): a township's province is the first
 * two digits of its county's GB/T 2260 code. A map of one province, or one
 * whose counties carry no 6-digit codes, prints nothing here. */
#include "report_int.h"

#include <ctype.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/goal.h"
#include "towncov/map.h"

/* The provincial-level divisions of GB/T 2260 (codes 11..82): the name the
 * summary prints for a province code. */
static const struct { int code; const char *name; } province_names[] = {
    {11, "北京市"}, {12, "天津市"}, {13, "河北省"}, {14, "山西省"}, {15, "内蒙古自治区"},
    {21, "辽宁省"}, {22, "吉林省"}, {23, "黑龙江省"}, {31, "上海市"}, {32, "江苏省"},
    {33, "浙江省"}, {34, "安徽省"}, {35, "福建省"}, {36, "江西省"}, {37, "山东省"},
    {41, "河南省"}, {42, "湖北省"}, {43, "湖南省"}, {44, "广东省"}, {45, "广西壮族自治区"},
    {46, "海南省"}, {50, "重庆市"}, {51, "四川省"}, {52, "贵州省"}, {53, "云南省"},
    {54, "西藏自治区"}, {61, "陕西省"}, {62, "甘肃省"}, {63, "青海省"},
    {64, "宁夏回族自治区"}, {65, "新疆维吾尔自治区"}, {71, "台湾省"}, {81, "香港特别行政区"},
    {82, "澳门特别行政区"},
};
enum { PROVINCE_CODES = 100 };

const char *report_province_name(int code)
{
    for (size_t i = 0; i < sizeof province_names / sizeof *province_names; i++)
        if (province_names[i].code == code)
            return province_names[i].name;
    return NULL;
}

/* 11..99 from a 6-digit county code, -1 for anything else. */
int report_province_of(const char *county_code)
{
    if (!county_code || strlen(county_code) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        if (!isdigit((unsigned char)county_code[i]))
            return -1;
    int code = (county_code[0] - '0') * 10 + (county_code[1] - '0');
    return code >= 11 ? code : -1;
}

struct province_row { int n, fail; double area, cov, seat_area, seat_cov; };

void report_print_by_province(FILE *out, const struct run_outcome *run)
{
    struct province_row rows[PROVINCE_CODES];
    memset(rows, 0, sizeof rows);
    int provinces = 0;
    for (int t = 0; t < run->map->n; t++) {
        int p = report_province_of(run->map->t[t].county_code);
        if (p < 0)
            return; /* not every county has a code: no province can be told */
        struct province_row *r = &rows[p];
        provinces += r->n++ == 0;
        r->fail += !run->verdict->township_met[t];
        r->area += run->results[t].area_m2;
        r->cov += run->results[t].covered_m2;
        r->seat_area += run->results[t].seat_area_m2;
        r->seat_cov += run->results[t].seat_covered_m2;
    }
    if (provinces < 2)
        return;
    fprintf(out, "\nBy province    townships  failing   area km2  covered  seat areas covered\n");
    for (int p = 0; p < PROVINCE_CODES; p++) {
        const struct province_row *r = &rows[p];
        if (!r->n)
            continue;
        const char *name = report_province_name(p);
        char label[64];
        snprintf(label, sizeof label, "%d %s", p, name ? name : "?");
        fputs("  ", out);
        report_print_cell(out, label, 12);
        fprintf(out, "%9d %8d %10.1f %7.2f%% %8.2f%%\n", r->n, r->fail, r->area / 1e6,
                100 * r->cov / r->area, r->seat_area > 0 ? 100 * r->seat_cov / r->seat_area : 0.0);
    }
}
