#include "grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t grow_capacity(size_t cap, size_t need, size_t first)
{
	if (need <= cap)
		return cap;
	size_t c = cap ? cap : first;
	while (c < need && c <= SIZE_MAX / 2)
		c *= 2;
	return c < need ? need : c;
}

int grow_array(void *array_ptr, size_t count, size_t size)
{
	void *old;
	memcpy(&old, array_ptr, sizeof(old)); /* any object pointer, without aliasing casts */
	if (size && count > SIZE_MAX / size)
		return -ENOMEM;
	void *grown = realloc(old, count * size);
	if (!grown)
		return -ENOMEM;
	memcpy(array_ptr, &grown, sizeof(grown));
	return 0;
}
