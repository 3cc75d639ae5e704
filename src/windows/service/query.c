// SPDX-License-Identifier: BSD-2-Clause
/* Reading whole reports from the control device (query.h). */
#include <stdlib.h>

#include "query.h"

enum ctl_result ctl_read_all(struct ctl *c, uint32_t code, size_t size, void **all, size_t *got,
			     unsigned long *detail)
{
	struct sfo_ctl_query q = { .version = SFO_CTL_VERSION };
	char *buf = NULL;
	enum ctl_result r;

	*got = 0;
	for (;; q.index++) {
		char *more = realloc(buf, (*got + 1) * size);

		if (!more) {
			free(buf);
			*detail = 0;
			return CTL_FAILED;
		}
		buf = more;
		r = ctl_call(c, code, &q, sizeof(q), buf + *got * size, size, detail);
		if (r != CTL_OK)
			break;
		++*got;
	}
	if (r != CTL_NO_MORE) {
		free(buf);
		return r;
	}
	*all = buf;
	return CTL_OK;
}
