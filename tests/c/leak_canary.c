/*
 * Leaks one blooio_error on purpose. `make test-c-asan` and `make test-c-valgrind` require
 * LeakSanitizer and valgrind to report it: that proves the library's registry of live handles
 * does not keep leaked handles reachable (and so invisible) to the leak checkers, which would
 * make every "zero leaks" result of the suite meaningless.
 */
#include <stdio.h>

#include "blooio.h"

blooio_error *leaked;

int main(void) {
    /* NULL options_out: the call fails and hands out an error, which is then dropped. */
    if (blooio_options_new(NULL, &leaked) != BLOOIO_STATUS_INVALID_ARGUMENT || leaked == NULL)
        return 3;
    leaked = NULL;
    puts("leak canary: dropped one blooio_error on purpose");
    return 0;
}
