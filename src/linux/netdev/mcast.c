/* SPDX-License-Identifier: BSD-2-Clause */
/* Link-layer multicast lists: /proc/net/dev_mcast and SIOC{ADD,DEL}MULTI. */
#include "mcast.h"

#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "nd_util.h"

#define DEV_MCAST "/proc/net/dev_mcast"

struct sfo_mcast_tracker {
	int ifindex; /* 0: not bound to an interface yet */
	size_t n, cap;
	uint8_t (*addr)[SFO_MAC_LEN];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse "0123456789ab" into 6 bytes; false for any other length. */
static bool parse_hex_mac(const char *s, uint8_t mac[SFO_MAC_LEN])
{
	int i, hi, lo;

	if (strlen(s) != 2 * SFO_MAC_LEN)
		return false;
	for (i = 0; i < SFO_MAC_LEN; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

int sfo_mcast_read(int ifindex, uint8_t (*list)[SFO_MAC_LEN], size_t max)
{
	char line[256], hex[128];
	uint8_t mac[SFO_MAC_LEN];
	size_t count = 0;
	int idx, ret = 0;
	FILE *f;

	if (ifindex <= 0)
		return -EINVAL;
	f = fopen(DEV_MCAST, "re");
	if (!f)
		return -errno;
	/* "ifindex ifname refcount global hexaddr" */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d %*s %*d %*d %127s", &idx, hex) != 2 || idx != ifindex)
			continue;
		if (!parse_hex_mac(hex, mac))
			continue;
		if (count < max && list)
			memcpy(list[count], mac, SFO_MAC_LEN);
		count++;
	}
	if (ferror(f))
		ret = -EIO;
	fclose(f);
	if (ret < 0)
		return ret;
	return count > INT32_MAX ? INT32_MAX : (int)count;
}

static int mcast_ioctl(unsigned long cmd, int ifindex, const uint8_t mac[SFO_MAC_LEN])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ifindex <= 0 || !if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return ifindex <= 0 ? -EINVAL : -ENODEV;
	ifr.ifr_hwaddr.sa_family = AF_UNSPEC;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, SFO_MAC_LEN);
	return nd_ioctl(cmd, &ifr);
}

int sfo_mcast_add(int ifindex, const uint8_t mac[SFO_MAC_LEN])
{
	if (!(mac[0] & 1))
		return -EINVAL; /* not a multicast address */
	return mcast_ioctl(SIOCADDMULTI, ifindex, mac);
}

int sfo_mcast_del(int ifindex, const uint8_t mac[SFO_MAC_LEN])
{
	return mcast_ioctl(SIOCDELMULTI, ifindex, mac);
}

struct sfo_mcast_tracker *sfo_mcast_tracker_new(void)
{
	return calloc(1, sizeof(struct sfo_mcast_tracker));
}

void sfo_mcast_tracker_free(struct sfo_mcast_tracker *t)
{
	if (!t)
		return;
	free(t->addr);
	free(t);
}

static bool in_list(const uint8_t (*list)[SFO_MAC_LEN], size_t n, const uint8_t *mac)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!memcmp(list[i], mac, SFO_MAC_LEN))
			return true;
	}
	return false;
}

static int owned_add(struct sfo_mcast_tracker *t, const uint8_t *mac)
{
	uint8_t(*p)[SFO_MAC_LEN];
	size_t cap;

	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 16;
		p = realloc(t->addr, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->addr = p;
		t->cap = cap;
	}
	memcpy(t->addr[t->n++], mac, SFO_MAC_LEN);
	return 0;
}

static void owned_remove(struct sfo_mcast_tracker *t, size_t i)
{
	memmove(t->addr[i], t->addr[i + 1], (t->n - i - 1) * sizeof(t->addr[0]));
	t->n--;
}

/* The interface's current list, in a buffer the caller frees. */
static int read_current(int ifindex, uint8_t (**out)[SFO_MAC_LEN], size_t *n)
{
	uint8_t(*list)[SFO_MAC_LEN] = NULL;
	size_t cap = 32;
	int ret;

	for (;;) {
		uint8_t(*p)[SFO_MAC_LEN] = realloc(list, cap * sizeof(*p));

		if (!p) {
			free(list);
			return -ENOMEM;
		}
		list = p;
		ret = sfo_mcast_read(ifindex, list, cap);
		if (ret < 0) {
			free(list);
			return ret;
		}
		if ((size_t)ret <= cap)
			break;
		cap = (size_t)ret + 16; /* grew meanwhile: retry bigger */
	}
	*out = list;
	*n = (size_t)ret;
	return 0;
}

int sfo_mcast_release(struct sfo_mcast_tracker *t)
{
	int ret, first = 0;
	size_t i;

	for (i = 0; i < t->n; i++) {
		ret = sfo_mcast_del(t->ifindex, t->addr[i]);
		if (ret == -ENOENT || ret == -ENODEV)
			ret = 0; /* already gone */
		if (ret < 0 && !first)
			first = ret;
	}
	sfo_mcast_forget(t);
	return first;
}

void sfo_mcast_forget(struct sfo_mcast_tracker *t)
{
	t->n = 0;
	t->ifindex = 0;
}

int sfo_mcast_sync(struct sfo_mcast_tracker *t, int ifindex, const uint8_t (*want)[SFO_MAC_LEN],
		   size_t n)
{
	uint8_t(*cur)[SFO_MAC_LEN] = NULL;
	size_t ncur = 0, i;
	int ret, first = 0;

	if (ifindex <= 0 || (n && !want))
		return -EINVAL;
	if (t->ifindex && t->ifindex != ifindex)
		sfo_mcast_release(t);
	t->ifindex = ifindex;

	ret = read_current(ifindex, &cur, &ncur);
	if (ret < 0)
		return ret;
	/* Drop ours that are no longer wanted. */
	for (i = t->n; i-- > 0;) {
		if (in_list(want, n, t->addr[i]))
			continue;
		ret = sfo_mcast_del(ifindex, t->addr[i]);
		if (ret == -ENOENT)
			ret = 0;
		if (ret < 0) {
			if (!first)
				first = ret;
			continue; /* still ours: retried next time */
		}
		owned_remove(t, i);
	}
	/* Add the missing ones. */
	for (i = 0; i < n; i++) {
		bool ours = in_list((const uint8_t(*)[SFO_MAC_LEN])t->addr, t->n, want[i]);

		if (in_list(cur, ncur, want[i]))
			continue; /* present: ours, or someone else's */
		if (in_list(want, i, want[i]))
			continue; /* duplicate in @want */
		ret = sfo_mcast_add(ifindex, want[i]);
		if (ret == 0 && !ours) {
			ret = owned_add(t, want[i]);
			/* Never keep what we cannot track. */
			if (ret < 0)
				sfo_mcast_del(ifindex, want[i]);
		}
		if (ret < 0 && !first)
			first = ret;
	}
	free(cur);
	return first;
}

size_t sfo_mcast_owned_count(const struct sfo_mcast_tracker *t)
{
	return t->n;
}

const uint8_t *sfo_mcast_owned(const struct sfo_mcast_tracker *t, size_t i)
{
	return i < t->n ? t->addr[i] : NULL;
}
