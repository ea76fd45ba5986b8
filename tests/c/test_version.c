/* The version macros and blooio_version() against Cargo.toml's version, which the build passes
 * in as BLOOIO_EXPECTED_VERSION. */
#include <stdio.h>
#include <string.h>

#include "testlib.h"

#ifndef BLOOIO_EXPECTED_VERSION
#error "build with -DBLOOIO_EXPECTED_VERSION=\"x.y.z\" taken from Cargo.toml"
#endif

TL_TEST(macros_match_cargo_toml) {
    char from_macros[64];
    snprintf(from_macros, sizeof from_macros, "%d.%d.%d", BLOOIO_VERSION_MAJOR, BLOOIO_VERSION_MINOR,
             BLOOIO_VERSION_PATCH);
    CHECK(strcmp(from_macros, BLOOIO_EXPECTED_VERSION) == 0);
}

TL_TEST(library_matches_header) {
    CHECK(blooio_version() != NULL);
    CHECK(strcmp(blooio_version(), BLOOIO_EXPECTED_VERSION) == 0);
}

int main(int argc, char **argv) {
    return tl_run(argc, argv);
}
