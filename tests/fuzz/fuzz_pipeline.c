/* secondsight - fuzz target: a whole capture file (pcap or pcapng) through the pipeline
 * of `secondsight analyze --json --test-detector`: capture, decode, flows, reassembly,
 * every detector and the JSON output, which goes to /dev/null. Inputs of odd length
 * run with two shard threads (--threads 2), the others with one; inputs whose length
 * is 2 or 3 modulo 4 write EVE (--format eve) instead of JSON lines. */
#include <stdio.h>

#include "output.h"
#include "run.h"
#include "config.h"
#include "fuzz.h"

/* Small tables so one run stays fast: --flow-memory 8M --max-flows 4096. */
#define FUZZ_FLOW_MEMORY (8ull << 20)
#define FUZZ_MAX_FLOWS 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/ss-fuzz-pipeline-XXXXXX";
    fuzz_write_temp(path, data, size);

    struct analyze_options opt = {
        .format = size & 2 ? &output_format_eve : &output_format_json,
        .sensor = "fuzz",
        .test_detectors = 1,
        .threads = size & 1 ? 2 : 1,
        .out = fuzz_devnull(),
        .flow = {FUZZ_MAX_FLOWS, FUZZ_FLOW_MEMORY, TCP_WINDOW_DEFAULT, TCP_GRACE_DEFAULT},
    };
    char *paths[] = {path};
    int status = analyze_files(&opt, paths, 1);
    unlink(path);
    if (status != EXIT_CLEAN && status != EXIT_FINDINGS && status != EXIT_TROUBLE)
        abort();
    return 0;
}
