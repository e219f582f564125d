/* Large arrays on 2 MiB transparent huge pages. On the machines connwatch is measured on, the
 * first write to a fresh 4 KiB page is what a large table costs most after the dump itself (a
 * page fault each: 16 MiB took 220-300 ms to write the first time on 4 KiB pages, 2-30 ms on huge
 * pages); huge pages also keep random lookups in a hash of a few MiB out of TLB misses. */
#ifndef CW_UTIL_HUGEPAGE_H
#define CW_UTIL_HUGEPAGE_H

#include <stddef.h>

#define HUGEPAGE_BYTES ((size_t)2 * 1024 * 1024)

/* Asks for huge pages over the whole 2 MiB pages inside [p, p + bytes) (none when the range
 * holds none); the edges stay on small pages, so no huge page holds memory the range does not
 * cover. Advice only: a kernel without transparent huge pages ignores it. */
void hugepage_advise(void *p, size_t bytes);

/* n zeroed elements of size bytes, like calloc; arrays of 2 MiB or more start on a huge page
 * boundary and are advised as above. Free with free(). NULL when out of memory or n * size
 * overflows. */
void *hugepage_calloc(size_t n, size_t size);

#endif
