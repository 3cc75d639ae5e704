// SPDX-License-Identifier: BSD-2-Clause
/*
 * The configuration file, read without blocking the event loop: a FIFO, a
 * device or a socket could make the read wait for ever (a FIFO's open alone
 * waits for a writer), so only a regular file of at most
 * SFO_CONFIG_FILE_MAX bytes is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"

#include <sfo/config.h>

static const char *file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	default:
		return "not a file";
	}
}

int config_file_load(const char *path, struct sfo_config **out, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd, ret;

	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s)", path, file_type(st.st_mode));
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > SFO_CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: file too large (max %d bytes)", path,
			 SFO_CONFIG_FILE_MAX);
		close(fd);
		return -EFBIG;
	}
	f = fdopen(fd, "rb");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	ret = sfo_config_read(f, path, out, err, errlen);
	fclose(f);
	return ret;
}
