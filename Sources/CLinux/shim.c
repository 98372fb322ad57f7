#define _GNU_SOURCE
#include "CLinux.h"
#include <string.h>

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

static int fill_unix_address(const char *path, struct sockaddr_un *addr) {
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n >= sizeof(addr->sun_path)) { errno = ENAMETOOLONG; return -1; }
    memcpy(addr->sun_path, path, n);
    return 0;
}

int clinux_listen_unix(const char *path, int backlog) {
    struct sockaddr_un addr;
    if (fill_unix_address(path, &addr) < 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, backlog) < 0) {
        int saved = errno; close(fd); errno = saved; return -1;
    }
    return fd;
}

int clinux_connect_unix(const char *path) {
    struct sockaddr_un addr;
    if (fill_unix_address(path, &addr) < 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 && errno != EINPROGRESS && errno != EAGAIN) {
        int saved = errno; close(fd); errno = saved; return -1;
    }
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
