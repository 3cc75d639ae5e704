// SPDX-License-Identifier: BSD-2-Clause
/* Which binding paths the service keeps on an adapter (bind_policy.h). */
#include <ctype.h>

#include "bind_policy.h"

static int same_id(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

enum bind_want sfo_bind_want(enum sfo_role role, const char *owner_id)
{
	switch (role) {
	case SFO_ROLE_VF:
	case SFO_ROLE_SPARE:
		return same_id(owner_id, SFO_BIND_PROTOCOL_ID) ? BIND_ENABLE : BIND_DISABLE;
	case SFO_ROLE_STANDBY:
		return same_id(owner_id, SFO_BIND_FILTER_ID) ? BIND_ENABLE : BIND_LEAVE;
	default:
		return same_id(owner_id, SFO_BIND_FILTER_ID) ? BIND_DISABLE : BIND_LEAVE;
	}
}
