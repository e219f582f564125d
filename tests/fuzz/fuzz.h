/* The one entry point every harness in tests/fuzz defines. libFuzzer calls it when the harness is
 * built with -Dfuzzing=true; replay_main.c calls it for each file of a seed corpus otherwise, so
 * the corpora run in the normal suite (and under ASan+UBSan in build-asan). */
#ifndef CW_FUZZ_H
#define CW_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
