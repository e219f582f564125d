/* Growing arrays that are reused from one refresh to the next (the live view's scratch): capacity
 * doubles, never shrinks, so a steady table size allocates nothing per refresh. */
#ifndef CW_UTIL_GROW_H
#define CW_UTIL_GROW_H

#include <stddef.h>

/* The capacity to use for `need` elements: cap when it is enough, else first (when cap is 0) or
 * cap, doubled until it holds need. */
size_t grow_capacity(size_t cap, size_t need, size_t first);

/* Reallocates the array whose pointer is at array_ptr (e.g. &v->order) to count elements of
 * size bytes, keeping its contents. Returns 0, or -ENOMEM with the array left as it was. */
int grow_array(void *array_ptr, size_t count, size_t size);

#endif
