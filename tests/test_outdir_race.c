/* Two commands committing into one folder at once (outdir_commit from two
 * processes, many times over): each commit succeeds, the folder always
 * holds one whole output, and no NAME.old-XXXXXX or NAME.tmp-XXXXXX folder
 * is left behind. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "towncov/outdir.h"

#include "fixture.h"

#define ROUNDS 300

static char root[256];

/* One writer: ROUNDS outputs of three files saying who wrote them; exits
 * with the number of failed commits (messages to stderr). */
static int writer(const char *dir, int who)
{
    int failed = 0;
    for (int r = 0; r < ROUNDS; r++) {
        struct tc_error err = {0};
        char *tmp = NULL;
        if (outdir_begin(dir, "test", &tmp, &err) != 0) {
            fprintf(stderr, "writer %d: %s\n", who, err.msg);
            failed++;
            continue;
        }
        for (int k = 0; k < 3; k++) {
            char name[32], text[64];
            snprintf(name, sizeof name, "f%d.txt", k);
            snprintf(text, sizeof text, "writer %d round %d\n", who, r);
            char *path = outdir_join(tmp, name);
            FILE *f = fopen(path, "w");
            fputs(text, f);
            fclose(f);
            free(path);
        }
        if (outdir_commit(&tmp, dir, &err) != 0) {
            fprintf(stderr, "writer %d round %d: %s\n", who, r, err.msg);
            failed++;
        }
        outdir_abort(&tmp);
    }
    return failed;
}

Test(outdir_race, two_writers_at_once_leave_no_old_or_tmp_folders, .timeout = 120)
{
    fx_tmpdir(root, sizeof root);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/out", root);
    pid_t pid[2];
    for (int w = 0; w < 2; w++) {
        pid[w] = fork();
        cr_assert(pid[w] >= 0);
        if (pid[w] == 0)
            _exit(writer(dir, w) > 0);
    }
    int failed = 0;
    for (int w = 0; w < 2; w++) {
        int status = 0;
        cr_assert_eq(waitpid(pid[w], &status, 0), pid[w]);
        failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    DIR *d = opendir(root);
    cr_assert_not_null(d);
    int left = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, "out.", 4) == 0) {
            fprintf(stderr, "left behind: %s\n", e->d_name);
            left++;
        }
    closedir(d);
    cr_assert_eq(left, 0, "%d folders left behind", left);
    cr_assert_eq(failed, 0, "a writer's commit failed (see stderr)");
    /* One whole output: the three files of one writer's one round. */
    char path[600], *first = NULL;
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/f%d.txt", dir, k);
        char *text = fx_read_file(path, NULL);
        cr_assert_not_null(text, "%s is missing", path);
        if (!first)
            first = text;
        else {
            cr_assert_str_eq(text, first, "files of two outputs mixed");
            free(text);
        }
    }
    free(first);
}
