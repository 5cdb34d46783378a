// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The files a signal must not leave behind (cleanup.h). A signal handler
 * may only call what is async-signal-safe: it reads a table of fixed
 * slots, filled before a slot is marked used, and calls unlink(), write(),
 * signal() and raise().
 */
#include "cleanup.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
#define NSIGNALS (sizeof(signals) / sizeof(signals[0]))

static struct {
	char path[PATH_MAX];
	atomic_int used;
} slots[CLEANUP_MAX];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *_Atomic say;
static struct sigaction before[NSIGNALS];
static int guarded[NSIGNALS];

static void on_signal(int sig)
{
	const char *line = atomic_load(&say);
	size_t i;

	for (i = 0; i < CLEANUP_MAX; i++)
		if (atomic_load(&slots[i].used))
			unlink(slots[i].path);
	if (line) {
		ssize_t n = write(STDERR_FILENO, line, strlen(line));

		(void)n; /* with stderr gone there is nobody to tell */
	}
	/* Blocked in its own handler: delivered, with the default action, once this returns. */
	signal(sig, SIG_DFL);
	raise(sig);
}

int cleanup_add(const char *path)
{
	size_t i, len = strlen(path);
	int rc = -ENOSPC;

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&slots_lock);
	for (i = 0; i < CLEANUP_MAX; i++)
		if (!atomic_load(&slots[i].used)) {
			memcpy(slots[i].path, path, len + 1);
			atomic_store(&slots[i].used, 1); /* after the name: the handler reads it whole */
			rc = 0;
			break;
		}
	pthread_mutex_unlock(&slots_lock);
	return rc;
}

void cleanup_forget(const char *path)
{
	size_t i;

	pthread_mutex_lock(&slots_lock);
	for (i = 0; i < CLEANUP_MAX; i++)
		if (atomic_load(&slots[i].used) && !strcmp(slots[i].path, path))
			atomic_store(&slots[i].used, 0);
	pthread_mutex_unlock(&slots_lock);
}

void cleanup_say(const char *line)
{
	atomic_store(&say, line);
}

void cleanup_guard(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGNALS; i++)
		if (!guarded[i] && !sigaction(signals[i], NULL, &before[i]) && before[i].sa_handler != SIG_IGN)
			guarded[i] = !sigaction(signals[i], &sa, NULL);
}

void cleanup_unguard(void)
{
	size_t i;

	for (i = 0; i < NSIGNALS; i++)
		if (guarded[i]) {
			sigaction(signals[i], &before[i], NULL);
			guarded[i] = 0;
		}
}
