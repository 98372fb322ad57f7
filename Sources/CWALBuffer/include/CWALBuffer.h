#ifndef CWALBUFFER_H
#define CWALBUFFER_H

#include <sqlite3.h>

// A VFS over SQLite's default one that gathers the writes to a WAL file and hands them to the
// kernel in one write at the commit's sync, instead of two per frame (its 24-byte header, then
// the page). Every other file, and every other operation, goes to the default VFS unchanged.
//
// Contract with the connection that opens a database through it (Store's writer):
// - the connection runs at PRAGMA synchronous=FULL, so that each commit ends in an xSync on the
//   WAL right after its commit frame. That xSync writes the gathered frames out before SQLite
//   publishes the commit in the wal-index, which is all other connections go by: they read
//   frames through file handles of their own.
// - that one xSync does not fdatasync. The connection's owner syncs the WAL itself (Store's
//   WALFlusher, with .full) or accepts that a power loss drops the last commits (.normal).
//   Every other xSync (the WAL header's after a restart, a checkpoint's) writes out what is
//   gathered and then syncs for real.
// - anything that reads, sizes, truncates or closes the WAL writes out what is gathered first,
//   so SQLite never sees a file that differs from what it wrote.

/// The name to pass to sqlite3_open_v2. Registered by walbuffer_register.
#define WALBUFFER_VFS_NAME "warden-walbuffer"

/// Registers the VFS once per process (not as the default). Thread-safe; returns SQLITE_OK or
/// the error that stopped it.
int walbuffer_register(void);

/// What one WAL file handle has done, for tests and statistics.
typedef struct {
    sqlite3_int64 writesGathered;  // xWrite calls SQLite made
    sqlite3_int64 writesIssued;    // writes handed to the default VFS
    sqlite3_int64 bytesIssued;     // bytes in those writes
    sqlite3_int64 commitSyncs;     // commit xSyncs, which only wrote out
    sqlite3_int64 realSyncs;       // xSyncs passed on to the default VFS
} walbuffer_stats;

/// Fills `out` for the WAL of `db`'s main database and returns 1, or returns 0 when that
/// connection has no WAL open through this VFS.
int walbuffer_stats_for(sqlite3 *db, walbuffer_stats *out);

#endif
