// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Unit tests of util/cleanup.c: a guarded signal removes the files listed
 * and the process dies of it; a signal ignored stays ignored; a file
 * forgotten stays. Each case runs in a child, which the signal ends.
 */
#include "../testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../util/cleanup.h"

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* In a child: list `keep` and `drop`, forget `keep`, guard, and raise `sig` (ignored first when `ignore`). */
static int child_status(const char *drop, const char *keep, int sig, int ignore, const char *say)
{
	int status = -1;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (ignore)
			signal(sig, SIG_IGN);
		if (cleanup_add(drop) || cleanup_add(keep))
			_exit(90);
		cleanup_forget(keep);
		cleanup_say(say);
		cleanup_guard();
		raise(sig);
		_exit(0); /* only when the signal was ignored */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_cleanup__a_signal_removes_what_was_listed(void **state)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	char *dir = test_tmpdir(), *drop = test_path(dir, "drop"), *keep = test_path(dir, "keep");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int status;

		test_write(dir, "drop", "x");
		test_write(dir, "keep", "x");
		status = child_status(drop, keep, sigs[i], 0, NULL);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), sigs[i]);
		assert_false(exists(drop));
		assert_true(exists(keep)); /* forgotten: its owner's */
	}
	free(drop);
	free(keep);
	test_rmtree(dir);
	free(dir);
}

/* nohup, a script's background job: the signal stays ignored, and nothing is removed. */
static void test_cleanup__an_ignored_signal_stays_ignored(void **state)
{
	char *dir = test_tmpdir(), *drop = test_path(dir, "drop"), *keep = test_path(dir, "keep");
	int status;

	(void)state;
	test_write(dir, "drop", "x");
	test_write(dir, "keep", "x");
	status = child_status(drop, keep, SIGINT, 1, NULL);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(exists(drop));
	free(drop);
	free(keep);
	test_rmtree(dir);
	free(dir);
}

/* The line given is written to stderr, whole, before the process dies. */
static void test_cleanup__the_line_is_said(void **state)
{
	char *dir = test_tmpdir(), *drop = test_path(dir, "drop"), *keep = test_path(dir, "keep"),
	     *err = test_path(dir, "err");
	int saved = dup(STDERR_FILENO), fd, status;
	char buf[64] = "";
	FILE *fp;

	(void)state;
	test_write(dir, "drop", "x");
	fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, STDERR_FILENO); /* the child's stderr */
	status = child_status(drop, keep, SIGTERM, 0, "tool: interrupted\n");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	assert_true(WIFSIGNALED(status));
	fp = fopen(err, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "tool: interrupted\n");
	assert_false(exists(drop));
	free(drop);
	free(keep);
	free(err);
	test_rmtree(dir);
	free(dir);
}

/* A full list says so; a path too long for a slot is refused, not cut. */
static void test_cleanup__bounds(void **state)
{
	char name[32], big[PATH_MAX + 8];
	int i;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cleanup_add(big), -ENAMETOOLONG);
	for (i = 0; i < CLEANUP_MAX; i++) {
		snprintf(name, sizeof(name), "/nonexistent/%d", i);
		assert_int_equal(cleanup_add(name), 0);
	}
	assert_int_equal(cleanup_add("/nonexistent/one-more"), -ENOSPC);
	cleanup_forget("/nonexistent/3");
	assert_int_equal(cleanup_add("/nonexistent/one-more"), 0);
	for (i = 0; i < CLEANUP_MAX; i++) {
		snprintf(name, sizeof(name), "/nonexistent/%d", i);
		cleanup_forget(name);
	}
	cleanup_forget("/nonexistent/one-more");
	assert_int_equal(cleanup_add("/nonexistent/again"), 0);
	cleanup_forget("/nonexistent/again");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cleanup__a_signal_removes_what_was_listed),
		cmocka_unit_test(test_cleanup__an_ignored_signal_stays_ignored),
		cmocka_unit_test(test_cleanup__the_line_is_said),
		cmocka_unit_test(test_cleanup__bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
