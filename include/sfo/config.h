/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sriov-failover configuration: an INI-like file, parsed by portable code.
 * The format is documented in docs/man/sriov-failover.conf.5.
 */
#ifndef SFO_CONFIG_H
#define SFO_CONFIG_H

#include "types.h"

#define SFO_ANNOUNCE_COUNT_MAX 255
#define SFO_INTERVAL_MS_MAX    60000

/* A PCI vendor:device pair; with any_device set ("8086:*") device is ignored. */
struct sfo_pci_id {
	uint16_t vendor;
	uint16_t device;
	bool any_device; /* "8086:*" */
};

/* Options of one [standby NAME] section. -1 means "inherit from [global]". */
struct sfo_standby_options {
	char name[SFO_NAME_MAX];
	bool managed;
	int announce_count;
	int announce_interval_ms;
	int bringup_delay_ms;
};

enum sfo_manage_mode {
	SFO_MANAGE_AUTO,   /* every adapter whose driver is in standby_drivers, plus listed ones */
	SFO_MANAGE_LISTED, /* only adapters named by a [standby NAME] section */
};

struct sfo_config {
	enum sfo_manage_mode manage;
	unsigned int announce_count;
	unsigned int announce_interval_ms;
	unsigned int bringup_delay_ms;

	char (*standby_drivers)[SFO_DRIVER_MAX]; /* default: "virtio_net" */
	size_t n_standby_drivers;
	char (*vf_drivers)[SFO_DRIVER_MAX]; /* additions to the built-in allowlist */
	size_t n_vf_drivers;
	struct sfo_pci_id *vf_pci_ids; /* additions to the allowlist by PCI id */
	size_t n_vf_pci_ids;
	struct sfo_standby_options *standbys;
	size_t n_standbys;
};

/* A configuration with every default and no section. NULL on allocation failure. */
struct sfo_config *sfo_config_new(void);
void sfo_config_free(struct sfo_config *cfg);

/*
 * Parse @len bytes of @text. On success returns 0 and stores a new config in
 * *@out. On failure returns -EINVAL-like negative value, leaves *@out untouched
 * and writes "FILENAME:LINE: what is wrong" into @err (always NUL-terminated
 * when @errlen > 0). Nothing is half-applied: the caller keeps its old config.
 */
int sfo_config_parse(const char *text, size_t len, const char *filename, struct sfo_config **out,
		     char *err, size_t errlen);

/* Read and parse a file with stdio; same contract as sfo_config_parse(). */
int sfo_config_load(const char *path, struct sfo_config **out, char *err, size_t errlen);

/* Options for the standby named @name, or NULL if no section names it. */
const struct sfo_standby_options *sfo_config_standby(const struct sfo_config *cfg,
						     const char *name);

#endif /* SFO_CONFIG_H */
