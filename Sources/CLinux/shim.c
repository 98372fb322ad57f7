#define _GNU_SOURCE
#include "CLinux.h"
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int clinux_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int clinux_set_int_option(int fd, int level, int name, int value) {
    return setsockopt(fd, level, name, &value, sizeof(value));
}

int clinux_accept(int fd, struct sockaddr_storage *addr, socklen_t *len) {
    *len = sizeof(*addr);
    return accept4(fd, (struct sockaddr *)addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/* sun_path holds 107 bytes, but data directories can be deeper than that. A longer path is
 * reached through /proc/self/fd/<dir>/<name>: *dirfd is then an O_PATH descriptor of the
 * directory, which the caller closes once bind or connect has resolved the path. */
static int fill_unix_address(const char *path, struct sockaddr_un *addr, int *dirfd) {
    *dirfd = -1;
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n < sizeof(addr->sun_path)) { memcpy(addr->sun_path, path, n); return 0; }
    const char *slash = strrchr(path, '/');
    if (slash == NULL || (size_t)(slash - path) >= PATH_MAX) { errno = ENAMETOOLONG; return -1; }
    char dir[PATH_MAX];
    size_t dn = slash == path ? 1 : (size_t)(slash - path);
    memcpy(dir, path, dn);
    dir[dn] = 0;
    int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return -1;
    int written = snprintf(addr->sun_path, sizeof(addr->sun_path), "/proc/self/fd/%d/%s", d, slash + 1);
    if (written < 0 || (size_t)written >= sizeof(addr->sun_path)) { close(d); errno = ENAMETOOLONG; return -1; }
    *dirfd = d;
    return 0;
}

static void close_preserving_errno(int fd) {
    if (fd < 0) return;
    int saved = errno; close(fd); errno = saved;
}

int clinux_listen_unix(const char *path, int backlog) {
    struct sockaddr_un addr;
    int dirfd;
    if (fill_unix_address(path, &addr, &dirfd) < 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { close_preserving_errno(dirfd); return -1; }
    int failed = bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, backlog) < 0;
    close_preserving_errno(dirfd);
    if (failed) { close_preserving_errno(fd); return -1; }
    return fd;
}

int clinux_connect_unix(const char *path) {
    struct sockaddr_un addr;
    int dirfd;
    if (fill_unix_address(path, &addr, &dirfd) < 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { close_preserving_errno(dirfd); return -1; }
    int failed = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 && errno != EINPROGRESS && errno != EAGAIN;
    close_preserving_errno(dirfd);
    if (failed) { close_preserving_errno(fd); return -1; }
    return fd;
}

int clinux_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

int clinux_timerfd_arm(int fd, long long ns) {
    struct itimerspec spec;
    memset(&spec, 0, sizeof(spec));
    if (ns <= 0) ns = 1; // zero would disarm
    spec.it_value.tv_sec = ns / 1000000000LL;
    spec.it_value.tv_nsec = ns % 1000000000LL;
    return timerfd_settime(fd, 0, &spec, NULL);
}
