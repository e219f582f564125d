/* Fuzzes the option-value parsers of serve and check: monitoring-plugins ranges
 * (threshold_range_parse), STATE=RANGE thresholds (threshold_set_add) and ADDR:PORT listen
 * addresses (endpoint_parse). Input: one selector byte, then the text; the text is copied into a
 * buffer of exactly its length plus the NUL, so a read past it is an ASan report. */
#include "fuzz.h"

#include "threshold.h"
#include "util/endpoint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t len = size - 1;
	char *text = malloc(len + 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, len);
	text[len] = '\0';
	struct cw_error err = {0};
	switch (data[0] % 3) {
	case 0: {
		struct threshold_range r;
		if (threshold_range_parse(text, &r, &err) == 0) {
			/* an accepted range is ordered, has no NaN and keeps its text for perfdata
			 */
			if (isnan(r.start) || isnan(r.end) || r.start > r.end ||
			    strcmp(r.text, text))
				abort();
			(void)threshold_range_alerts(&r, 0);
		} else if (!err.msg[0]) {
			abort(); /* a rejection always says why */
		}
		break;
	}
	case 1: {
		struct threshold_set set;
		memset(&set, 0, sizeof(set));
		if (threshold_set_add(&set, text, data[0] & 4, &err) == 0) {
			unsigned int n = 0;
			for (unsigned int k = 0; k < THRESHOLD_KEYS; k++)
				n += set.has_warn[k] + set.has_crit[k];
			if (n != 1)
				abort();
		} else if (!err.msg[0]) {
			abort();
		}
		break;
	}
	default: {
		struct sockaddr_storage sa;
		socklen_t salen = 0;
		if (endpoint_parse(text, &sa, &salen) &&
		    (salen == 0 || salen > sizeof(sa) ||
		     (sa.ss_family != AF_INET && sa.ss_family != AF_INET6)))
			abort();
		break;
	}
	}
	free(text);
	return 0;
}
