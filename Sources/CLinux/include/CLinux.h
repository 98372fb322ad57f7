#ifndef CLINUX_H
#define CLINUX_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>

// Swift cannot call variadic C functions or read packed/union members comfortably;
// these wrappers give it plain signatures.

int clinux_set_nonblocking(int fd);
int clinux_set_int_option(int fd, int level, int name, int value);
/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC.
int clinux_accept(int fd, struct sockaddr_storage *addr, socklen_t *len);
/// Bind and listen on a unix socket path; returns the fd or -1 with errno set.
int clinux_listen_unix(const char *path, int backlog);
/// Non-blocking connect to a unix socket path; returns the fd or -1 with errno set.
int clinux_connect_unix(const char *path);
/// epoll_event.data is a union; Swift sees it awkwardly.
static inline uint64_t clinux_event_data(const struct epoll_event *e) { return e->data.u64; }
static inline uint32_t clinux_event_flags(const struct epoll_event *e) { return e->events; }
int clinux_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
int clinux_timerfd_arm(int fd, long long nanoseconds_from_now);

#endif
