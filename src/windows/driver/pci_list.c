// SPDX-License-Identifier: BSD-2-Clause
/*
 * A list of PCI vendor:device ids from the registry (Parameters\VfPciIds,
 * Parameters\StandbyPciIds): a REG_MULTI_SZ of "vendor:device" in hex, or
 * "vendor:*", appended to the built-in list; an entry that is not one is
 * logged and ignored. PASSIVE_LEVEL.
 */
#include "sriovfo.h"

static BOOLEAN hex_digit(WCHAR c, USHORT *v)
{
	if (c >= '0' && c <= '9')
		*v = (USHORT)(*v * 16 + (c - '0'));
	else if (c >= 'a' && c <= 'f')
		*v = (USHORT)(*v * 16 + (c - 'a' + 10));
	else if (c >= 'A' && c <= 'F')
		*v = (USHORT)(*v * 16 + (c - 'A' + 10));
	else
		return FALSE;
	return TRUE;
}

/* 1 to 4 hex digits up to @end; where they end in *@s. */
static BOOLEAN hex16(const WCHAR **s, WCHAR end, USHORT *out)
{
	int n = 0;

	*out = 0;
	for (; **s != end; (*s)++)
		if (++n > 4 || !hex_digit(**s, out))
			return FALSE;
	return n > 0;
}

/* "8086:1889" or "8086:*" */
static BOOLEAN parse_pci_id(const WCHAR *s, struct sfo_pci_id *id)
{
	if (!hex16(&s, ':', &id->vendor) || !id->vendor)
		return FALSE;
	s++;
	id->any_device = s[0] == '*' && !s[1];
	id->device = 0;
	return id->any_device || hex16(&s, '\0', &id->device);
}

/* A string as printable ASCII, for the log. */
static void ascii(const WCHAR *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s[i] && i + 1 < len; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	buf[i] = '\0';
}

static size_t wlen(const WCHAR *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* The strings of a REG_MULTI_SZ list, up to the empty one. */
static size_t count_entries(const WCHAR *list)
{
	size_t n = 0;

	for (const WCHAR *e = list; *e; e += wlen(e) + 1)
		n++;
	return n;
}

struct sfo_pci_id *sfo_win_registry_pci_ids(PUNICODE_STRING registry_path, const WCHAR *value,
					    const struct sfo_pci_id *defaults, size_t n_defaults,
					    size_t *n)
{
	WCHAR *list = sfo_win_registry_multi_sz(registry_path, value);
	struct sfo_pci_id *ids;
	char name[24], shown[40];

	if (!list)
		return NULL;
	ascii(value, name, sizeof(name));
	if (!count_entries(list)) {
		sfo_win_free(list);
		return NULL;
	}
	ids = sfo_win_alloc((n_defaults + count_entries(list)) * sizeof(*ids));
	if (!ids) {
		DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, 0,
			   "sriovfo: registry Parameters\\%s ignored: out of memory\n", name);
		sfo_win_free(list);
		return NULL;
	}
	if (n_defaults)
		__builtin_memcpy(ids, defaults, n_defaults * sizeof(*ids));
	*n = n_defaults;
	for (const WCHAR *e = list; *e; e += wlen(e) + 1) {
		if (parse_pci_id(e, &ids[*n])) {
			(*n)++;
			continue;
		}
		ascii(e, shown, sizeof(shown));
		DbgPrintEx(SFO_DPFLTR_IHVNETWORK_ID, 0,
			   "sriovfo: registry Parameters\\%s: '%s' is not a PCI "
			   "vendor:device in hex (e.g. 8086:1889 or 8086:*), ignored\n",
			   name, shown);
	}
	sfo_win_free(list);
	return ids;
}

BOOLEAN sfo_win_pci_id_listed(const struct sfo_pci_id *ids, size_t n, USHORT vendor, USHORT device)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i].vendor == vendor && (ids[i].any_device || ids[i].device == device))
			return TRUE;
	return FALSE;
}
