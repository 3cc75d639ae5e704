/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Parser of sriov-failover.conf, the format described in
 * sriov-failover.conf(5). Strict ISO C11, no OS header: every edge shares it.
 *
 * The text is walked line by line as (pointer, length) spans, never copied
 * or modified; a new config is filled in and only handed out when the whole
 * text parsed, so an error never leaves anything half-applied.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_index.h"

#define LINE_MAX_BYTES	 1024
#define ADAPTER_NAME_MAX 15 /* chars, Linux IFNAMSIZ - 1 */
#define SHOW_MAX	 40 /* bytes of a faulty word quoted in an error message */

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

struct span {
	const char *p;
	size_t n;
};

/* Quote a span in a message: at most SHOW_MAX bytes, then "...". */
#define SPAN_FMT "'%.*s%s'"
#define SPAN_ARG(s) \
	(int)((s).n > SHOW_MAX ? SHOW_MAX : (s).n), (s).p, ((s).n > SHOW_MAX ? "..." : "")

struct parser {
	const char *filename;
	unsigned long line; /* 0 while not reading lines */
	struct sfo_config *cfg;
	struct sfo_standby_options *sb; /* current [standby NAME], NULL in [global] */
	bool standby_drivers_seen;	/* the first standby-drivers line replaces the default */
	char *err;
	size_t errlen;
};

/* Write "FILE:LINE: message" (or "FILE: message") into the caller's buffer. */
PRINTF_LIKE(3, 4)
static int fail(struct parser *p, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || p->errlen == 0)
		return code;
	if (p->line)
		n = snprintf(p->err, p->errlen, "%s:%lu: ", p->filename, p->line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->filename);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return code;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static struct span trim(struct span s)
{
	while (s.n && is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool span_eq(struct span s, const char *str)
{
	return s.n == strlen(str) && memcmp(s.p, str, s.n) == 0;
}

/* Cut a '#' or ';' comment that starts the span or follows whitespace, then trim. */
static struct span strip_comment(struct span s)
{
	for (size_t i = 0; i < s.n; i++) {
		if ((s.p[i] == '#' || s.p[i] == ';') && (i == 0 || is_space(s.p[i - 1]))) {
			s.n = i;
			break;
		}
	}
	return trim(s);
}

/* Remove and return the next whitespace-separated word of *s (empty at the end). */
static struct span next_word(struct span *s)
{
	struct span w;

	*s = trim(*s);
	w.p = s->p;
	for (w.n = 0; w.n < s->n && !is_space(s->p[w.n]); w.n++)
		;
	s->p += w.n;
	s->n -= w.n;
	return w;
}

/* Remove and return the next line of *text, without its '\n'. */
static struct span next_line(struct span *text)
{
	const char *nl = memchr(text->p, '\n', text->n);
	struct span line = { text->p, nl ? (size_t)(nl - text->p) : text->n };
	size_t used = nl ? line.n + 1 : line.n;

	text->p += used;
	text->n -= used;
	return line;
}

/*
 * Make room for element @n of an array that grows by doubling (its capacity
 * is the smallest power of two >= n): reallocated when n is 0 or a power of
 * two. Returns the array, NULL when out of memory (the old one is kept).
 */
static void *grow(void *arr, size_t n, size_t size)
{
	size_t cap = n ? 2 * n : 1;

	if (n & (n - 1))
		return arr;
	if (cap > SIZE_MAX / size)
		return NULL;
	return realloc(arr, cap * size);
}

static int add_drivers(struct parser *p, struct span v, char (**list)[SFO_DRIVER_MAX], size_t *n)
{
	struct span w;
	void *arr;

	while ((w = next_word(&v)).n) {
		if (w.n >= SFO_DRIVER_MAX)
			return fail(p, -SFO_EINVAL, "driver name " SPAN_FMT " too long (max %d)",
				    SPAN_ARG(w), SFO_DRIVER_MAX - 1);
		arr = grow(*list, *n, sizeof(**list));
		if (!arr)
			return fail(p, -SFO_ENOMEM, "out of memory");
		*list = arr;
		memcpy((*list)[*n], w.p, w.n);
		(*list)[*n][w.n] = '\0';
		(*n)++;
	}
	return 0;
}

/* 1 to 4 hex digits. */
static bool parse_hex16(struct span s, uint16_t *out)
{
	static const char digits[] = "0123456789abcdef0123456789ABCDEF";
	unsigned int v = 0;
	const char *d;

	if (s.n < 1 || s.n > 4)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		d = s.p[i] ? strchr(digits, s.p[i]) : NULL;
		if (!d)
			return false;
		v = v * 16 + (unsigned int)(d - digits) % 16;
	}
	*out = (uint16_t)v;
	return true;
}

/* --- key handlers, one per kind of value --- */

struct key_def;
typedef int key_handler(struct parser *p, const struct key_def *k, struct span v);

enum { IN_GLOBAL = 1, IN_STANDBY = 2 };

struct key_def {
	const char *name;
	unsigned int scope; /* IN_GLOBAL and/or IN_STANDBY */
	key_handler *set;
	/* numbers and flags: offset of the unsigned int in struct sfo_config
	 * and of the int in struct sfo_standby_options; numbers: bounds */
	unsigned int min, max;
	size_t global_off;
	size_t standby_off;
};

static int set_manage(struct parser *p, const struct key_def *k, struct span v)
{
	if (span_eq(v, "auto"))
		p->cfg->manage = SFO_MANAGE_AUTO;
	else if (span_eq(v, "listed"))
		p->cfg->manage = SFO_MANAGE_LISTED;
	else
		return fail(p, -SFO_EINVAL, "%s must be auto or listed, got " SPAN_FMT, k->name,
			    SPAN_ARG(v));
	return 0;
}

/* yes/no, true/false, 1/0: 1, 0, or -1 if none of them. */
static int parse_yes_no(struct span v)
{
	if (span_eq(v, "yes") || span_eq(v, "true") || span_eq(v, "1"))
		return 1;
	if (span_eq(v, "no") || span_eq(v, "false") || span_eq(v, "0"))
		return 0;
	return -1;
}

static int set_managed(struct parser *p, const struct key_def *k, struct span v)
{
	int yes = parse_yes_no(v);

	if (yes < 0)
		return fail(p, -SFO_EINVAL,
			    "%s must be yes, no, true, false, 1 or 0, got " SPAN_FMT, k->name,
			    SPAN_ARG(v));
	p->sb->managed = yes;
	return 0;
}

/* A yes/no option of [global] (unsigned int) and [standby] (int, -1 inherits). */
static int set_flag(struct parser *p, const struct key_def *k, struct span v)
{
	int yes = parse_yes_no(v);
	unsigned int uyes = (unsigned int)yes;

	if (yes < 0)
		return fail(p, -SFO_EINVAL,
			    "%s must be yes, no, true, false, 1 or 0, got " SPAN_FMT, k->name,
			    SPAN_ARG(v));
	if (p->sb)
		memcpy((char *)p->sb + k->standby_off, &yes, sizeof(yes));
	else
		memcpy((char *)p->cfg + k->global_off, &uyes, sizeof(uyes));
	return 0;
}

static int set_number(struct parser *p, const struct key_def *k, struct span v)
{
	unsigned int val = 0;
	int ival;

	for (size_t i = 0; i < v.n; i++) {
		unsigned int d = (unsigned int)(v.p[i] - '0');

		if (v.p[i] < '0' || v.p[i] > '9' || val > k->max / 10 || val * 10 + d > k->max)
			goto bad;
		val = val * 10 + d;
	}
	if (val < k->min)
		goto bad;
	if (p->sb) {
		ival = (int)val;
		memcpy((char *)p->sb + k->standby_off, &ival, sizeof(ival));
	} else {
		memcpy((char *)p->cfg + k->global_off, &val, sizeof(val));
	}
	return 0;
bad:
	return fail(p, -SFO_EINVAL, "%s must be %u..%u, got " SPAN_FMT, k->name, k->min, k->max,
		    SPAN_ARG(v));
}

static int set_standby_drivers(struct parser *p, const struct key_def *k, struct span v)
{
	(void)k;
	if (!p->standby_drivers_seen) {
		p->standby_drivers_seen = true;
		p->cfg->n_standby_drivers = 0;
	}
	return add_drivers(p, v, &p->cfg->standby_drivers, &p->cfg->n_standby_drivers);
}

static int set_vf_drivers(struct parser *p, const struct key_def *k, struct span v)
{
	(void)k;
	return add_drivers(p, v, &p->cfg->vf_drivers, &p->cfg->n_vf_drivers);
}

static int set_vf_pci_ids(struct parser *p, const struct key_def *k, struct span v)
{
	struct sfo_pci_id id;
	struct span w, vendor, device;
	const char *colon;
	void *arr;

	(void)k;
	while ((w = next_word(&v)).n) {
		colon = memchr(w.p, ':', w.n);
		if (!colon)
			goto bad;
		vendor = (struct span){ w.p, (size_t)(colon - w.p) };
		device = (struct span){ colon + 1, w.n - vendor.n - 1 };
		id = (struct sfo_pci_id){ .device = 0xffff, .any_device = span_eq(device, "*") };
		if (!parse_hex16(vendor, &id.vendor) ||
		    (!id.any_device && !parse_hex16(device, &id.device)))
			goto bad;
		arr = grow(p->cfg->vf_pci_ids, p->cfg->n_vf_pci_ids, sizeof(id));
		if (!arr)
			return fail(p, -SFO_ENOMEM, "out of memory");
		p->cfg->vf_pci_ids = arr;
		p->cfg->vf_pci_ids[p->cfg->n_vf_pci_ids++] = id;
	}
	return 0;
bad:
	return fail(p, -SFO_EINVAL, "bad PCI id " SPAN_FMT " (want VENDOR:DEVICE in hex)",
		    SPAN_ARG(w));
}

#define OPTION(key, field, handler, minval, maxval)                                          \
	{                                                                                    \
		.name = key, .scope = IN_GLOBAL | IN_STANDBY, .set = handler, .min = minval, \
		.max = maxval, .global_off = offsetof(struct sfo_config, field),             \
		.standby_off = offsetof(struct sfo_standby_options, field),                  \
	}
#define NUMBER(key, field, maxval) OPTION(key, field, set_number, 0, maxval)
#define GLOBAL_NUMBER(key, field, maxval)                                                    \
	{                                                                                    \
		.name = key, .scope = IN_GLOBAL, .set = set_number, .min = 0, .max = maxval, \
		.global_off = offsetof(struct sfo_config, field),                            \
	}

static const struct key_def keys[] = {
	{ .name = "manage", .scope = IN_GLOBAL, .set = set_manage },
	{ .name = "standby-drivers", .scope = IN_GLOBAL, .set = set_standby_drivers },
	{ .name = "vf-drivers", .scope = IN_GLOBAL, .set = set_vf_drivers },
	{ .name = "vf-pci-ids", .scope = IN_GLOBAL, .set = set_vf_pci_ids },
	{ .name = "managed", .scope = IN_STANDBY, .set = set_managed },
	NUMBER("announce-count", announce_count, SFO_ANNOUNCE_COUNT_MAX),
	NUMBER("announce-interval-ms", announce_interval_ms, SFO_INTERVAL_MS_MAX),
	NUMBER("bringup-delay-ms", bringup_delay_ms, SFO_INTERVAL_MS_MAX),
	OPTION("probe-path", probe_path, set_flag, 0, 1),
	OPTION("probe-interval-ms", probe_interval_ms, set_number, 1, SFO_INTERVAL_MS_MAX),
	NUMBER("probe-timeout-ms", probe_timeout_ms, SFO_INTERVAL_MS_MAX),
	GLOBAL_NUMBER("realtime-priority", realtime_priority, SFO_REALTIME_PRIORITY_MAX),
};

/* --- standbys by name (config_index.c) --- */

static size_t *standby_slot(const struct sfo_config *cfg, struct span name)
{
	return sfo_config_slot(cfg, name.p, name.n);
}

/* Keeps the table at most half full. */
static int grow_index(struct sfo_config *cfg)
{
	size_t n = cfg->n_standby_slots ? cfg->n_standby_slots * 2 : 16;
	size_t *old = cfg->standby_slots, n_old = cfg->n_standby_slots;

	if (2 * (cfg->n_standbys + 1) <= n_old)
		return 0;
	if (n > SIZE_MAX / sizeof(*old))
		return -SFO_ENOMEM;
	cfg->standby_slots = calloc(n, sizeof(*old));
	if (!cfg->standby_slots) {
		cfg->standby_slots = old;
		return -SFO_ENOMEM;
	}
	cfg->n_standby_slots = n;
	for (size_t i = 0; i < n_old; i++) {
		if (old[i]) {
			const char *nm = cfg->standbys[old[i] - 1].name;

			*standby_slot(cfg, (struct span){ nm, strlen(nm) }) = old[i];
		}
	}
	free(old);
	return 0;
}

/* Append a section with the defaults; -SFO_EEXIST if @name has one. */
static int add_standby(struct sfo_config *cfg, struct span name, struct sfo_standby_options **out)
{
	size_t *slot;
	void *arr;

	if (grow_index(cfg) < 0)
		return -SFO_ENOMEM;
	slot = standby_slot(cfg, name);
	if (*slot) {
		*out = &cfg->standbys[*slot - 1];
		return -SFO_EEXIST;
	}
	arr = grow(cfg->standbys, cfg->n_standbys, sizeof(*cfg->standbys));
	if (!arr)
		return -SFO_ENOMEM;
	cfg->standbys = arr;
	*out = &cfg->standbys[cfg->n_standbys];
	**out = (struct sfo_standby_options){
		.managed = true,
		.announce_count = -1,
		.announce_interval_ms = -1,
		.bringup_delay_ms = -1,
		.probe_path = -1,
		.probe_interval_ms = -1,
		.probe_timeout_ms = -1,
	};
	memcpy((*out)->name, name.p, name.n);
	*slot = ++cfg->n_standbys;
	return 0;
}

static bool adapter_name_ok(struct span name)
{
	return name.n && name.n <= ADAPTER_NAME_MAX && !memchr(name.p, '/', name.n);
}

/* --- lines --- */

static int start_standby(struct parser *p, struct span name)
{
	int r;

	if (name.n > ADAPTER_NAME_MAX)
		return fail(p, -SFO_EINVAL, "adapter name " SPAN_FMT " too long (max %d)",
			    SPAN_ARG(name), ADAPTER_NAME_MAX);
	if (memchr(name.p, '/', name.n))
		return fail(p, -SFO_EINVAL, "bad adapter name " SPAN_FMT " ('/' not allowed)",
			    SPAN_ARG(name));
	r = add_standby(p->cfg, name, &p->sb);
	if (r == -SFO_EEXIST)
		return fail(p, -SFO_EINVAL, "duplicate section [standby %s]", p->sb->name);
	if (r < 0)
		return fail(p, -SFO_ENOMEM, "out of memory");
	return 0;
}

/* "[global]" or "[standby NAME]", optionally followed by a comment. */
static int parse_section(struct parser *p, struct span line)
{
	const char *close = memchr(line.p, ']', line.n);
	struct span head, rest, kind, name;

	if (!close)
		return fail(p, -SFO_EINVAL, "unterminated section header");
	head = trim((struct span){ line.p + 1, (size_t)(close - line.p) - 1 });
	rest = strip_comment((struct span){ close + 1, line.n - (size_t)(close - line.p) - 1 });
	if (rest.n)
		return fail(p, -SFO_EINVAL, "unexpected text after section header");

	rest = head;
	kind = next_word(&rest);
	if (span_eq(kind, "global") && trim(rest).n == 0) {
		p->sb = NULL;
		return 0;
	}
	if (!span_eq(kind, "standby"))
		return fail(p, -SFO_EINVAL, "unknown section [%.*s%s]", SPAN_ARG(head));
	name = next_word(&rest);
	if (name.n == 0 || trim(rest).n)
		return fail(p, -SFO_EINVAL, "section [standby] needs exactly one adapter name");
	return start_standby(p, name);
}

/* "key = value", optionally followed by a comment. */
static int parse_assignment(struct parser *p, struct span line)
{
	const char *eq = memchr(line.p, '=', line.n);
	const char *sect = p->sb ? "standby " : "global";
	const char *sect_name = p->sb ? p->sb->name : "";
	const struct key_def *k = NULL;
	struct span key, val;

	if (!eq)
		return fail(p, -SFO_EINVAL, "expected 'key = value'");
	key = trim((struct span){ line.p, (size_t)(eq - line.p) });
	val = strip_comment((struct span){ eq + 1, line.n - (size_t)(eq - line.p) - 1 });
	if (key.n == 0)
		return fail(p, -SFO_EINVAL, "expected 'key = value'");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !k; i++)
		if (span_eq(key, keys[i].name))
			k = &keys[i];
	if (!k)
		return fail(p, -SFO_EINVAL, "unknown key " SPAN_FMT " in [%s%s]", SPAN_ARG(key),
			    sect, sect_name);
	if (!(k->scope & (p->sb ? IN_STANDBY : IN_GLOBAL)))
		return fail(p, -SFO_EINVAL, "key '%s' not allowed in [%s%s]", k->name, sect,
			    sect_name);
	if (val.n == 0)
		return fail(p, -SFO_EINVAL, "missing value for '%s'", k->name);
	return k->set(p, k, val);
}

static int parse_line(struct parser *p, struct span line)
{
	if (line.n > LINE_MAX_BYTES)
		return fail(p, -SFO_EINVAL, "line too long (max %d bytes)", LINE_MAX_BYTES);
	if (memchr(line.p, '\0', line.n))
		return fail(p, -SFO_EINVAL, "NUL byte in line");
	line = trim(line);
	if (line.n == 0 || line.p[0] == '#' || line.p[0] == ';')
		return 0;
	if (line.p[0] == '[')
		return parse_section(p, line);
	return parse_assignment(p, line);
}

/* --- public API --- */

struct sfo_config *sfo_config_new(void)
{
	struct sfo_config *cfg = malloc(sizeof(*cfg));

	if (!cfg)
		return NULL;
	sfo_config_defaults(cfg);
	cfg->standby_drivers = malloc(sizeof(*cfg->standby_drivers));
	if (!cfg->standby_drivers) {
		free(cfg);
		return NULL;
	}
	cfg->n_standby_drivers = 1;
	strcpy(cfg->standby_drivers[0], "virtio_net");
	return cfg;
}

void sfo_config_free(struct sfo_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->standby_drivers);
	free(cfg->vf_drivers);
	free(cfg->vf_pci_ids);
	free(cfg->standbys);
	free(cfg->standby_slots);
	free(cfg);
}

int sfo_config_parse(const char *text, size_t len, const char *filename, struct sfo_config **out,
		     char *err, size_t errlen)
{
	struct parser p = { .filename = filename ? filename : "<config>",
			    .err = err,
			    .errlen = errlen };
	struct span rest = { text, len };
	int r = 0;

	if (!out || (!text && len))
		return fail(&p, -SFO_EINVAL, "invalid argument");
	p.cfg = sfo_config_new();
	if (!p.cfg)
		return fail(&p, -SFO_ENOMEM, "out of memory");
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* UTF-8 byte order mark */
		rest.p += 3;
		rest.n -= 3;
	}
	while (rest.n && r == 0) {
		p.line++;
		r = parse_line(&p, next_line(&rest));
	}
	if (r) {
		sfo_config_free(p.cfg);
		return r;
	}
	*out = p.cfg;
	return 0;
}

int sfo_config_read(FILE *f, const char *filename, struct sfo_config **out, char *err,
		    size_t errlen)
{
	struct parser p = { .filename = filename ? filename : "<config>",
			    .err = err,
			    .errlen = errlen };
	char *buf;
	size_t len;
	int r;

	if (!f || !out)
		return fail(&p, -SFO_EINVAL, "invalid argument");
	buf = malloc(SFO_CONFIG_FILE_MAX + 1);
	if (!buf)
		return fail(&p, -SFO_ENOMEM, "out of memory");
	errno = 0;
	len = fread(buf, 1, SFO_CONFIG_FILE_MAX + 1, f);
	if (ferror(f))
		r = fail(&p, -SFO_EINVAL, "cannot read: %s",
			 errno ? strerror(errno) : "unknown error");
	else if (len > SFO_CONFIG_FILE_MAX)
		r = fail(&p, -SFO_EINVAL, "file too large (max %d bytes)", SFO_CONFIG_FILE_MAX);
	else
		r = sfo_config_parse(buf, len, p.filename, out, err, errlen);
	free(buf);
	return r;
}

int sfo_config_load(const char *path, struct sfo_config **out, char *err, size_t errlen)
{
	struct parser p = { .filename = path ? path : "<config>", .err = err, .errlen = errlen };
	FILE *f;
	int r;

	if (!path || !out)
		return fail(&p, -SFO_EINVAL, "invalid argument");
	errno = 0;
	f = fopen(path, "rb");
	if (!f)
		return fail(&p, -SFO_ENOENT, "cannot open: %s",
			    errno ? strerror(errno) : "unknown error");
	r = sfo_config_read(f, path, out, err, errlen);
	fclose(f);
	return r;
}

int sfo_config_add_standby(struct sfo_config *cfg, const char *name,
			   struct sfo_standby_options **out)
{
	struct sfo_standby_options *sb;
	struct span s = { name, name ? strlen(name) : 0 };

	if (!cfg || !adapter_name_ok(s))
		return -SFO_EINVAL;
	return add_standby(cfg, s, out ? out : &sb);
}
