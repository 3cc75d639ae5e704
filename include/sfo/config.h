/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sriov-failover configuration: an INI-like file, parsed by portable code.
 * The format is documented in docs/man/sriov-failover.conf.5.
 *
 * The engine (libsfo-core, freestanding) only reads a struct sfo_config and
 * looks sections up with sfo_config_standby(). Making one (new, parse,
 * add_standby, read, load, free) is libsfo-config, hosted: it uses the C
 * library's malloc and stdio. An edge without it, e.g. a kernel driver,
 * fills a struct sfo_config itself, starting from sfo_config_defaults()
 * (freestanding, libsfo-core), with no [standby] section (standbys,
 * standby_slots NULL).
 */
#ifndef SFO_CONFIG_H
#define SFO_CONFIG_H

#include "types.h"

#define SFO_ANNOUNCE_COUNT_MAX 255
#define SFO_INTERVAL_MS_MAX    60000
#define SFO_CONFIG_FILE_MAX    (1024 * 1024) /* bytes */
/* Proving the path through a VF: probes at gaps of 1, 2, 4... ms up to 50 ms
 * for up to 3 s, then one a second (SFO_PROBE_SLOW_MS) while the pair stays
 * on the standby. */
#define SFO_PROBE_INTERVAL_MS_DEFAULT 50
#define SFO_PROBE_TIMEOUT_MS_DEFAULT  3000
#define SFO_PROBE_SLOW_MS	      1000
/* realtime-priority: 0 normal scheduling, 1..99 SCHED_FIFO at that priority
 * (Linux daemon only). The default stays below threaded IRQ handlers (50). */
#define SFO_REALTIME_PRIORITY_DEFAULT 10
#define SFO_REALTIME_PRIORITY_MAX     99

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
	int probe_path; /* 1 yes, 0 no */
	int probe_interval_ms;
	int probe_timeout_ms;
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
	unsigned int probe_path; /* prove the path through a VF before using it */
	unsigned int probe_interval_ms;
	unsigned int probe_timeout_ms;
	/* SCHED_FIFO priority of the event loop, 0 for none; only the Linux
	 * daemon applies it */
	unsigned int realtime_priority;

	char (*standby_drivers)[SFO_DRIVER_MAX]; /* default: "virtio_net" */
	size_t n_standby_drivers;
	char (*vf_drivers)[SFO_DRIVER_MAX]; /* additions to the built-in allowlist */
	size_t n_vf_drivers;
	struct sfo_pci_id *vf_pci_ids; /* additions to the allowlist by PCI id */
	size_t n_vf_pci_ids;
	struct sfo_standby_options *standbys; /* add with sfo_config_add_standby() */
	size_t n_standbys;
	/* private: standbys by name (index + 1, 0 for none), a hash table at
	 * most half full, so that parsing and lookups stay linear in size */
	size_t *standby_slots;
	size_t n_standby_slots;
};

/*
 * Fill @cfg with every default and no list: no section, no driver or PCI id
 * (standby_drivers, vf_drivers, vf_pci_ids NULL), which the caller points at
 * arrays of its own. Freestanding (libsfo-core): what an edge without the
 * parser, e.g. a kernel driver, starts from.
 */
void sfo_config_defaults(struct sfo_config *cfg);

/* A configuration with every default (standby-drivers virtio_net) and no
 * section. NULL on allocation failure. */
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

#if __STDC_HOSTED__ /* FILE: stdio, not there in a freestanding build */
#include <stdio.h>

/*
 * Read @f to its end (at most SFO_CONFIG_FILE_MAX bytes, else an error) and
 * parse it, @filename naming it in errors; same contract as
 * sfo_config_parse(). The caller opens and closes @f.
 */
int sfo_config_read(FILE *f, const char *filename, struct sfo_config **out, char *err,
		    size_t errlen);

/*
 * Open @path with stdio, then sfo_config_read(). Opening a FIFO waits for a
 * writer: a program that must not block checks the file first.
 */
int sfo_config_load(const char *path, struct sfo_config **out, char *err, size_t errlen);
#endif

/* Options for the standby named @name, or NULL if no section names it. */
const struct sfo_standby_options *sfo_config_standby(const struct sfo_config *cfg,
						     const char *name);

/*
 * Add a [standby NAME] section with the defaults (managed, every option
 * inherited) and store it in *@out (may be NULL). Returns 0, -SFO_EEXIST
 * with the existing section in *@out, -SFO_EINVAL for a bad name (empty,
 * longer than 15 bytes, with a '/'), or -SFO_ENOMEM. Pointers into
 * cfg->standbys are valid until the next addition.
 */
int sfo_config_add_standby(struct sfo_config *cfg, const char *name,
			   struct sfo_standby_options **out);

#endif /* SFO_CONFIG_H */
