#include "CWALBuffer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// One commit of a full batch is about 1 MB of frames; what does not fit is written out early.
enum { CAPACITY = 1 << 20 };
// The unix VFS writes at most 128 KiB - 1 per call (it masks the length with 0x1ffff).
enum { MOST_PER_WRITE = 64 << 10 };
enum { WAL_HEADER_SIZE = 32, FRAME_HEADER_SIZE = 24 };

typedef enum {
    WROTE_OTHER,
    WROTE_COMMIT_HEADER,  // a frame header whose "database size after commit" is set
    WROTE_COMMIT_FRAME,   // ... and the page right after it
} LastWrite;

// Sits after the default VFS's own file object, in the same allocation (see szOsFile).
typedef struct {
    const sqlite3_io_methods *parent;
    unsigned char *data;
    sqlite3_int64 start;  // file offset of data[0]
    int length;
    LastWrite last;
    sqlite3_int64 lastEnd;
    walbuffer_stats stats;
} Gathered;

static sqlite3_vfs *parentVFS;
static sqlite3_vfs bufferVFS;
static int gatheredOffset;
static sqlite3_io_methods walMethods;

static Gathered *gatheredOf(sqlite3_file *file) {
    return (Gathered *)((char *)file + gatheredOffset);
}

static unsigned int bigEndian32(const unsigned char *p) {
    return ((unsigned int)p[0] << 24) | ((unsigned int)p[1] << 16) | ((unsigned int)p[2] << 8) | p[3];
}

static int issue(sqlite3_file *file, const unsigned char *bytes, int amount, sqlite3_int64 offset) {
    Gathered *g = gatheredOf(file);
    while (amount > 0) {
        int piece = amount < MOST_PER_WRITE ? amount : MOST_PER_WRITE;
        int rc = g->parent->xWrite(file, bytes, piece, offset);
        if (rc != SQLITE_OK) return rc;
        g->stats.writesIssued += 1;
        g->stats.bytesIssued += piece;
        bytes += piece;
        offset += piece;
        amount -= piece;
    }
    return SQLITE_OK;
}

// Hands what is gathered to the default VFS. On failure it is dropped: SQLite rolls the
// transaction back and writes those frames again, from the same offset, if it retries.
static int writeOut(sqlite3_file *file) {
    Gathered *g = gatheredOf(file);
    if (g->length == 0) return SQLITE_OK;
    int rc = issue(file, g->data, g->length, g->start);
    g->length = 0;
    return rc;
}

static void noteWrite(Gathered *g, const void *bytes, int amount, sqlite3_int64 offset) {
    g->stats.writesGathered += 1;
    if (amount == FRAME_HEADER_SIZE && offset >= WAL_HEADER_SIZE
        && bigEndian32((const unsigned char *)bytes + 4) != 0) {
        g->last = WROTE_COMMIT_HEADER;
    } else if (g->last == WROTE_COMMIT_HEADER && offset == g->lastEnd) {
        g->last = WROTE_COMMIT_FRAME;
    } else {
        g->last = WROTE_OTHER;
    }
    g->lastEnd = offset + amount;
}

static int walWrite(sqlite3_file *file, const void *bytes, int amount, sqlite3_int64 offset) {
    Gathered *g = gatheredOf(file);
    noteWrite(g, bytes, amount, offset);
    int contiguous = g->length > 0 && offset == g->start + g->length;
    if (g->length > 0 && (!contiguous || g->length + amount > CAPACITY)) {
        int rc = writeOut(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (amount > CAPACITY) return issue(file, bytes, amount, offset);
    if (g->length == 0) g->start = offset;
    memcpy(g->data + g->length, bytes, (size_t)amount);
    g->length += amount;
    return SQLITE_OK;
}

static int walSync(sqlite3_file *file, int flags) {
    Gathered *g = gatheredOf(file);
    int rc = writeOut(file);
    if (rc != SQLITE_OK) return rc;
    LastWrite last = g->last;
    g->last = WROTE_OTHER;
    if (last == WROTE_COMMIT_HEADER || last == WROTE_COMMIT_FRAME) {
        g->stats.commitSyncs += 1;
        return SQLITE_OK;
    }
    g->stats.realSyncs += 1;
    return g->parent->xSync(file, flags);
}

static int walRead(sqlite3_file *file, void *bytes, int amount, sqlite3_int64 offset) {
    int rc = writeOut(file);
    return rc != SQLITE_OK ? rc : gatheredOf(file)->parent->xRead(file, bytes, amount, offset);
}

static int walTruncate(sqlite3_file *file, sqlite3_int64 size) {
    int rc = writeOut(file);
    return rc != SQLITE_OK ? rc : gatheredOf(file)->parent->xTruncate(file, size);
}

static int walFileSize(sqlite3_file *file, sqlite3_int64 *size) {
    int rc = writeOut(file);
    return rc != SQLITE_OK ? rc : gatheredOf(file)->parent->xFileSize(file, size);
}

static int walFileControl(sqlite3_file *file, int op, void *arg) {
    int rc = writeOut(file);
    return rc != SQLITE_OK ? rc : gatheredOf(file)->parent->xFileControl(file, op, arg);
}

static int walClose(sqlite3_file *file) {
    Gathered *g = gatheredOf(file);
    int written = writeOut(file);
    free(g->data);
    g->data = NULL;
    int rc = g->parent->xClose(file);
    return written != SQLITE_OK ? written : rc;
}

// The WAL's locks live in the wal-index, not on the file; these only pass through.
static int walLock(sqlite3_file *file, int level) {
    return gatheredOf(file)->parent->xLock(file, level);
}

static int walUnlock(sqlite3_file *file, int level) {
    return gatheredOf(file)->parent->xUnlock(file, level);
}

static int walCheckReservedLock(sqlite3_file *file, int *out) {
    return gatheredOf(file)->parent->xCheckReservedLock(file, out);
}

static int walSectorSize(sqlite3_file *file) {
    return gatheredOf(file)->parent->xSectorSize(file);
}

static int walDeviceCharacteristics(sqlite3_file *file) {
    return gatheredOf(file)->parent->xDeviceCharacteristics(file);
}

static int bufferOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    Gathered *g = gatheredOf(file);
    memset(g, 0, sizeof *g);
    int rc = parentVFS->xOpen(parentVFS, name, file, flags, outFlags);
    if (rc != SQLITE_OK || (flags & SQLITE_OPEN_WAL) == 0 || file->pMethods == NULL) return rc;
    // Without the memory the WAL is written as SQLite writes it; only slower.
    g->data = malloc(CAPACITY);
    if (g->data == NULL) return SQLITE_OK;
    g->parent = file->pMethods;
    file->pMethods = &walMethods;
    return SQLITE_OK;
}

static int registered = SQLITE_ERROR;
static pthread_once_t registerOnce = PTHREAD_ONCE_INIT;

static void registerVFS(void) {
    parentVFS = sqlite3_vfs_find(NULL);
    if (parentVFS == NULL) return;
    walMethods = (sqlite3_io_methods){
        .iVersion = 1,
        .xClose = walClose,
        .xRead = walRead,
        .xWrite = walWrite,
        .xTruncate = walTruncate,
        .xSync = walSync,
        .xFileSize = walFileSize,
        .xLock = walLock,
        .xUnlock = walUnlock,
        .xCheckReservedLock = walCheckReservedLock,
        .xFileControl = walFileControl,
        .xSectorSize = walSectorSize,
        .xDeviceCharacteristics = walDeviceCharacteristics,
    };
    gatheredOffset = (parentVFS->szOsFile + 15) & ~15;
    bufferVFS = *parentVFS;
    bufferVFS.pNext = NULL;
    bufferVFS.zName = WALBUFFER_VFS_NAME;
    bufferVFS.szOsFile = gatheredOffset + (int)sizeof(Gathered);
    bufferVFS.xOpen = bufferOpen;
    registered = sqlite3_vfs_register(&bufferVFS, 0);
}

int walbuffer_register(void) {
    pthread_once(&registerOnce, registerVFS);
    return registered;
}

int walbuffer_stats_for(sqlite3 *db, walbuffer_stats *out) {
    sqlite3_file *wal = NULL;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK) return 0;
    if (wal == NULL || wal->pMethods != &walMethods) return 0;
    *out = gatheredOf(wal)->stats;
    return 1;
}
