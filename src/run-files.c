/* secondsight - the analyze driver: capture files read in order into one run. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "output.h"
#include "run.h"

int analyze_files(const struct analyze_options *opt, char *const *paths, int npaths)
{
    int status = EXIT_CLEAN;
    struct run *r = run_new(opt, npaths);
    if (!r) {
        fprintf(stderr, "secondsight: out of memory setting up the analysis\n");
        return EXIT_TROUBLE;
    }
    for (int i = 0; i < npaths; i++) {
        struct file_stats *fs = run_source(r, (uint32_t)i);
        run_progress(r, paths[i], opt->progress);
        enum capture_result res =
            capture_file_read(paths[i], (uint32_t)i, fs, run_blocks(r), run_feed, r);
        run_progress(r, NULL, 0);
        if (res == CAPTURE_OPEN_FAILED) {
            fprintf(stderr, "secondsight: cannot read %s: %s\n", paths[i], fs->error);
            status = EXIT_TROUBLE;
        } else if (res == CAPTURE_DAMAGED) {
            fprintf(stderr, "secondsight: %s: %s\n", paths[i], fs->error);
            status = EXIT_TROUBLE;
        }
        if (fs->skipped)
            fprintf(stderr,
                    "secondsight: warning: %s: link type %s (%d) is not supported; "
                    "%llu packets skipped\n",
                    paths[i], linktype_name(fs->skipped_linktype), fs->skipped_linktype,
                    (unsigned long long)fs->skipped);
    }
    run_finish(r);
    if (!run_write_stats(r, 0)) {
        fprintf(stderr, "secondsight: cannot write %s: %s\n",
                opt->out_name ? opt->out_name : "standard output", strerror(errno));
        status = EXIT_TROUBLE;
    }
    if (status == EXIT_CLEAN && run_findings(r))
        status = EXIT_FINDINGS;
    run_free(r);
    return status;
}
