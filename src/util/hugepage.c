#include "util/hugepage.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void hugepage_advise(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	uintptr_t from = ((uintptr_t)p + HUGEPAGE_BYTES - 1) & ~(uintptr_t)(HUGEPAGE_BYTES - 1);
	uintptr_t to = ((uintptr_t)p + bytes) & ~(uintptr_t)(HUGEPAGE_BYTES - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

void *hugepage_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	size_t bytes = n * size;
	if (bytes < HUGEPAGE_BYTES)
		return calloc(n ? n : 1, size ? size : 1);
	/* aligned_alloc wants a multiple of the alignment */
	size_t rounded = (bytes + HUGEPAGE_BYTES - 1) & ~(HUGEPAGE_BYTES - 1);
	void *p = aligned_alloc(HUGEPAGE_BYTES, rounded);
	if (!p)
		return NULL;
	hugepage_advise(p, bytes);
	/* The advice first: these writes are the page faults, now one per 2 MiB. */
	memset(p, 0, bytes);
	return p;
}
