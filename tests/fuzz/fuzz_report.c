/* secondsight - fuzz target: a findings file through `secondsight report`: every line
 * parsed by jansson and checked against the records secondsight writes, alerts sorted
 * and grouped per flow, any JSON value rendered into HTML (to /dev/null).
 * Layout: the bytes of the file, as given to `report FILE`. */
#include <stdio.h>

#include "fuzz.h"
#include "output-report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[] = "/tmp/ss-fuzz-report-XXXXXX";
    fuzz_write_temp(in, data, size);
    /* Input errors are reported on stderr by design; only the page matters here. */
    int status = report_html(in, fuzz_devnull(), "/dev/null", NULL, "fuzz");
    unlink(in);
    if (status != 0 && status != 2)
        abort();
    return 0;
}
