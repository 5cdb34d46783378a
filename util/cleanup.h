/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cleanup: the files a signal must not leave behind. A command's temporary
 * files (an inventory built aside, a bundle being written, a snapshot) are
 * removed should SIGINT, SIGTERM, SIGHUP or SIGPIPE end the process, which
 * then dies of that signal as it would have. Files are listed wherever
 * they are made and forgotten wherever they are renamed or removed; the
 * signals are caught only where a command guards them (cli/), never in
 * the mount's daemon, whose signals libfuse handles.
 */
#ifndef NLETSFS_CLEANUP_H
#define NLETSFS_CLEANUP_H

/** Files listed at once, at most; one more is left unguarded (cleanup_add() says -ENOSPC). */
#define CLEANUP_MAX 16

/**
 * Remove `path` (a copy is kept) should a guarded signal come: 0,
 * -ENAMETOOLONG or -ENOSPC, and the file is then not guarded; callers go
 * on either way. Safe from several threads.
 */
int cleanup_add(const char *path);
/** `path` is no longer the process's to remove: renamed, linked into place, or removed. */
void cleanup_forget(const char *path);
/** A line (with its newline; static storage, or NULL for none) for stderr should a guarded signal come. */
void cleanup_say(const char *line);
/** Catch the signals above, but those ignored (nohup, a script's background job), which stay so. */
void cleanup_guard(void);
/** Give the signals back what they had before cleanup_guard(). */
void cleanup_unguard(void);

#endif
