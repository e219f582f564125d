/* The one entry point every harness in tests/fuzz defines. libFuzzer calls it when the harness is
 * built with -Dfuzzing=true; replay_main.c calls it for each file of a seed corpus otherwise, so
 * the corpora run in the normal suite (and under ASan+UBSan in build-asan). */
#ifndef CW_FUZZ_H
#define CW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A heap copy of exactly len bytes, so a read past the end is an ASan report (and the copy is
 * aligned as the kernel's buffers are). NULL when out of memory; the caller frees it. */
static inline void *fuzz_exact_copy(const uint8_t *data, size_t len)
{
	void *p = malloc(len ? len : 1);
	if (p && len)
		memcpy(p, data, len);
	return p;
}

#endif
