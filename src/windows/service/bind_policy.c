// SPDX-License-Identifier: BSD-2-Clause
/* Which binding paths the service keeps on an adapter (bind_policy.h). */
#include <ctype.h>
#include <string.h>

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

/* 2: MAC and PCI ids, 1: MAC of an adapter without PCI ids, 0: not it. */
static int match_score(const struct sfo_adapter_status *st, const struct bind_nic *nic)
{
	const struct sfo_adapter_info *in = &st->info;

	if (memcmp(in->perm_mac, nic->mac, SFO_MAC_LEN) != 0 &&
	    memcmp(in->perm_mac, nic->perm_mac, SFO_MAC_LEN) != 0)
		return 0;
	if (!in->pci_vendor)
		return 1;
	return in->pci_vendor == nic->pci_vendor && in->pci_device == nic->pci_device ? 2 : 0;
}

int sfo_bind_match(const struct sfo_adapter_status *a, size_t n, const struct bind_nic *nic)
{
	int best = -1, best_score = 0;

	for (size_t i = 0; i < n; i++) {
		int score = match_score(&a[i], nic);

		if (score > best_score ||
		    (score && score == best_score && a[i].role == SFO_ROLE_STANDBY)) {
			best = (int)i;
			best_score = score;
		}
	}
	return best;
}

/* The 4 hex digits after @key in @s (case-insensitive); false if absent. */
static bool hex4_after(const char *s, const char *key, uint16_t *out)
{
	size_t klen = strlen(key);

	for (; *s; s++) {
		unsigned v = 0;
		size_t i;

		for (i = 0;
		     i < klen && tolower((unsigned char)s[i]) == tolower((unsigned char)key[i]);
		     i++)
			;
		if (i < klen)
			continue;
		for (i = 0; i < 4 && isxdigit((unsigned char)s[klen + i]); i++)
			v = v * 16 +
			    (unsigned)(isdigit((unsigned char)s[klen + i])
					       ? s[klen + i] - '0'
					       : tolower((unsigned char)s[klen + i]) - 'a' + 10);
		if (i == 4) {
			*out = (uint16_t)v;
			return true;
		}
	}
	return false;
}

bool sfo_bind_pci_ids(const char *pnp_id, uint16_t *vendor, uint16_t *device)
{
	if (tolower((unsigned char)pnp_id[0]) != 'p' || tolower((unsigned char)pnp_id[1]) != 'c' ||
	    tolower((unsigned char)pnp_id[2]) != 'i' || pnp_id[3] != '\\')
		return false;
	return hex4_after(pnp_id, "VEN_", vendor) && hex4_after(pnp_id, "DEV_", device);
}
