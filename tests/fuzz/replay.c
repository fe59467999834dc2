/* secondsight - main() for a fuzz target without libFuzzer: runs every input named on
 * the command line (files, or directories read in sorted order), so CTest replays the
 * seed corpus and the crash regressions on every build, with or without sanitizers. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* An input that runs this long is a hang (libFuzzer's -timeout, made a failure). */
#define REPLAY_TIMEOUT_S 20

static const char *current = "";

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "replay: input ran too long: ";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    ignored = write(STDERR_FILENO, current, strlen(current));
    ignored = write(STDERR_FILENO, "\n", 1);
    (void)ignored;
    _exit(1);
}

/* Reads a whole file into an exactly-sized allocation; NULL on error (errno set). */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    /* exactly `len` bytes, so an over-read is one ASan sees */
    uint8_t *exact = fuzz_dup(buf, len);
    free(buf);
    *size = len;
    return exact;
}

static int run_file(const char *path)
{
    size_t size = 0;
    uint8_t *data = read_file(path, &size);
    if (!data) {
        fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
        return 0;
    }
    current = path;
    alarm(REPLAY_TIMEOUT_S);
    LLVMFuzzerTestOneInput(data, size);
    alarm(0);
    free(data);
    return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Runs `path` (a file, or each file of a directory); adds to *count. 0 on error. */
static int run_path(const char *path, size_t *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (!run_file(path))
            return 0;
        (*count)++;
        return 1;
    }
    struct dirent **names;
    int n = scandir(path, &names, visible, by_name);
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s: %s\n", path, strerror(errno));
        return 0;
    }
    int ok = 1;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(path) + 1 + strlen(names[i]->d_name) + 1;
        char *file = malloc(len);
        if (!file) {
            ok = 0;
        } else {
            snprintf(file, len, "%s/%s", path, names[i]->d_name);
            if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
                if (run_file(file))
                    (*count)++;
                else
                    ok = 0;
            }
            free(file);
        }
        free(names[i]);
    }
    free(names);
    return ok;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int ok = 1, optional = 0;
    signal(SIGALRM, on_alarm);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--if-present")) {
            optional = 1;
            continue;
        }
        struct stat st;
        if (optional && stat(argv[i], &st) != 0 && errno == ENOENT) {
            optional = 0;
            continue;
        }
        optional = 0;
        if (!run_path(argv[i], &count))
            ok = 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: %s [--if-present] FILE|DIR...\n", argv[0]);
        return 2;
    }
    if (!count) {
        fprintf(stderr, "replay: no inputs found\n");
        return 1;
    }
    printf("replayed %zu inputs\n", count);
    return ok ? 0 : 1;
}
