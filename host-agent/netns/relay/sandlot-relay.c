/*
 * sandlot-relay: the agent's hands inside a network namespace (a sandbox machine's, a
 * playground hub's, a microvm playground's). It opens TCP connections there, listens
 * there, and receives UDP there, and gives each connected TCP socket to the agent itself,
 * so bytes then flow between the agent and the namespace with no process in between.
 *
 *   nsenter -t PID -n -- sandlot-relay      (its IPC channel to the agent on fd 3)
 *
 * It speaks the protocol of host-agent/netns/relay.ts over Node's IPC channel (stdio
 * 'ipc', JSON serialization): one JSON object per line each way, and a socket handed over
 * as Node hands one to another Node process, a NODE_HANDLE message with the descriptor
 * attached (SCM_RIGHTS), sent one at a time, each after the agent's NODE_HANDLE_ACK.
 * It replaces a `node -e` relay that cost a Node start (tens of ms of CPU, ~40 MB) per
 * namespace: a machine's start no longer competes with two of them for the host's CPU.
 *
 * Requests (agent → relay):              Answers (relay → agent):
 *   {"id":N,"host":"A","port":P}           {"id":N,"ok":true} + the connected socket
 *   {"id":N,"listen":P}                    {"id":N,"ok":true}, then {"accepted":P} + each socket
 *   {"id":N,"udp":P}                       {"id":N,"ok":true}, then {"datagram":P,"data":B64,"address":A,"port":Q}
 *   {"reply":P,"data":B64,"address":A,"port":Q}   (sent from UDP port P)
 * A failure answers {"id":N,"ok":false,"error":"ECONNREFUSED"} (an errno name, as Node's e.code).
 * The relay ends when the agent's end of the channel closes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHANNEL 3
#define MAX_MESSAGE (256 * 1024)

enum kind { LISTENER, UDP, CONNECTING };

struct watch {
  enum kind kind;
  int fd;
  long id;   /* CONNECTING: the request's id */
  long port; /* LISTENER, UDP: the port served */
};

static int epfd;

static void die(const char *what) {
  fprintf(stderr, "sandlot-relay: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* --- the channel: lines out, one handle in flight at a time --- */

struct handoff {
  char *line;
  int fd;
  struct handoff *next;
};
static struct handoff *queue_head, *queue_tail;
static int awaiting_ack;

static void write_all(const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(CHANNEL, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      exit(0); /* the agent is gone */
    }
    p += w;
    n -= (size_t)w;
  }
}

static void send_line(const char *fmt, ...) {
  char buf[MAX_MESSAGE];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0 || n >= (int)sizeof buf - 1) return;
  buf[n++] = '\n';
  write_all(buf, (size_t)n);
}

static void send_with_fd(const char *line, int fd) {
  struct iovec iov = {.iov_base = (void *)line, .iov_len = strlen(line)};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  /* The descriptor goes with the first byte; the rest of the line follows plainly. */
  ssize_t w;
  while ((w = sendmsg(CHANNEL, &msg, MSG_NOSIGNAL)) < 0)
    if (errno != EINTR) exit(0);
  if ((size_t)w < iov.iov_len) write_all(line + w, iov.iov_len - (size_t)w);
}

static void pump_handoffs(void) {
  if (awaiting_ack || !queue_head) return;
  send_with_fd(queue_head->line, queue_head->fd);
  awaiting_ack = 1;
}

/* Hands a socket to the agent with `msg` (a JSON object) as the message it gets with it. */
static void hand_over(int fd, const char *fmt, ...) {
  char inner[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(inner, sizeof inner, fmt, ap);
  va_end(ap);
  struct handoff *h = calloc(1, sizeof *h);
  if (!h || asprintf(&h->line, "{\"cmd\":\"NODE_HANDLE\",\"type\":\"net.Socket\",\"msg\":%s}\n", inner) < 0) die("memory");
  h->fd = fd;
  if (queue_tail)
    queue_tail->next = h;
  else
    queue_head = h;
  queue_tail = h;
  pump_handoffs();
}

/* After an ACK the next socket goes; after a NACK (the agent lost the descriptor) the same one again. */
static void on_ack(int ok) {
  if (!awaiting_ack || !queue_head) return;
  awaiting_ack = 0;
  if (ok) {
    struct handoff *h = queue_head;
    queue_head = h->next;
    if (!queue_head) queue_tail = NULL;
    close(h->fd);
    free(h->line);
    free(h);
  }
  pump_handoffs();
}

/* --- a flat JSON object of our own making: string and number members --- */

/* Copies member `key`'s value into `out`; 0 if there is none. `line` is one flat object. */
static int json_get(const char *line, const char *key, char *out, size_t outlen, int *is_string) {
  char pattern[32];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *p = line;
  /* A key is a match only outside string values: keys are plain words here, values never hold `"key":`. */
  while ((p = strstr(p, pattern)) != NULL) {
    if (p == line || p[-1] == '{' || p[-1] == ',') break;
    p++;
  }
  if (!p) return 0;
  p += strlen(pattern);
  size_t n = 0;
  if (*p == '"') {
    p++;
    while (*p && *p != '"' && n + 1 < outlen) {
      if (*p == '\\' && p[1]) p++;
      out[n++] = *p++;
    }
    if (is_string) *is_string = 1;
  } else {
    while (*p && *p != ',' && *p != '}' && n + 1 < outlen) out[n++] = *p++;
    if (is_string) *is_string = 0;
  }
  out[n] = 0;
  return 1;
}

static long json_long(const char *line, const char *key, long fallback) {
  char v[32];
  int s;
  if (!json_get(line, key, v, sizeof v, &s) || s) return fallback;
  char *end;
  long n = strtol(v, &end, 10);
  return *end ? fallback : n;
}

/* --- base64 (datagrams travel as base64 strings, as the Node relay sent them) --- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encode(const unsigned char *in, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
    out[o++] = B64[v >> 18 & 63];
    out[o++] = B64[v >> 12 & 63];
    out[o++] = i + 1 < n ? B64[v >> 6 & 63] : '=';
    out[o++] = i + 2 < n ? B64[v & 63] : '=';
  }
  out[o] = 0;
  return o;
}

static long b64_decode(const char *in, unsigned char *out, size_t cap) {
  uint32_t v = 0;
  int bits = 0;
  size_t o = 0;
  for (; *in && *in != '='; in++) {
    const char *p = strchr(B64, *in);
    if (!p || !*in) return -1;
    v = v << 6 | (uint32_t)(p - B64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o >= cap) return -1;
      out[o++] = (unsigned char)(v >> bits);
    }
  }
  return (long)o;
}

/* --- sockets --- */

static const char *errno_name(int e) {
  switch (e) {
  case ECONNREFUSED: return "ECONNREFUSED";
  case ETIMEDOUT: return "ETIMEDOUT";
  case EHOSTUNREACH: return "EHOSTUNREACH";
  case ENETUNREACH: return "ENETUNREACH";
  case EADDRINUSE: return "EADDRINUSE";
  case EACCES: return "EACCES";
  case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
  case EINVAL: return "EINVAL";
  default: return strerrorname_np(e) ? strerrorname_np(e) : "EIO";
  }
}

static void watch(struct watch *w, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.ptr = w};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, w->fd, &ev) != 0) die("epoll_ctl");
}

static struct watch *new_watch(enum kind kind, int fd, long id, long port) {
  struct watch *w = calloc(1, sizeof *w);
  if (!w) die("memory");
  *w = (struct watch){.kind = kind, .fd = fd, .id = id, .port = port};
  return w;
}

static int bound_socket(int type, long port) {
  int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || (type == SOCK_STREAM && listen(fd, 128) != 0)) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* The UDP sockets by port (few: one per port the agent asks for), for replies. */
static struct watch *udp_watches[64];
static int udp_count;

static void serve_port(long id, int type, long port) {
  int fd = port > 0 && port < 65536 ? bound_socket(type, port) : (errno = EINVAL, -1);
  if (fd < 0) {
    send_line("{\"id\":%ld,\"ok\":false,\"error\":\"%s\"}", id, errno_name(errno));
    return;
  }
  struct watch *w = new_watch(type == SOCK_STREAM ? LISTENER : UDP, fd, id, port);
  if (type == SOCK_DGRAM) {
    if (udp_count == (int)(sizeof udp_watches / sizeof udp_watches[0])) {
      close(fd);
      free(w);
      send_line("{\"id\":%ld,\"ok\":false,\"error\":\"EMFILE\"}", id);
      return;
    }
    udp_watches[udp_count++] = w;
  }
  watch(w, EPOLLIN);
  send_line("{\"id\":%ld,\"ok\":true}", id);
}

static void start_connect(long id, const char *host, long port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  const char *address = !strcmp(host, "localhost") ? "127.0.0.1" : host;
  if (port <= 0 || port >= 65536 || inet_pton(AF_INET, address, &a.sin_addr) != 1) {
    send_line("{\"id\":%ld,\"ok\":false,\"error\":\"%s\"}", id, port <= 0 || port >= 65536 ? "EINVAL" : "ENOTFOUND");
    return;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    send_line("{\"id\":%ld,\"ok\":false,\"error\":\"%s\"}", id, errno_name(errno));
    return;
  }
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
    send_line("{\"id\":%ld,\"ok\":false,\"error\":\"%s\"}", id, errno_name(errno));
    close(fd);
    return;
  }
  watch(new_watch(CONNECTING, fd, id, port), EPOLLOUT);
}

static void connected(struct watch *w) {
  int err = 0;
  socklen_t len = sizeof err;
  epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
  if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err) {
    send_line("{\"id\":%ld,\"ok\":false,\"error\":\"%s\"}", w->id, errno_name(err));
    close(w->fd);
  } else {
    hand_over(w->fd, "{\"id\":%ld,\"ok\":true}", w->id);
  }
  free(w);
}

static void accepted(struct watch *w) {
  for (;;) {
    int fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) return; /* EAGAIN, or a connection that went away before we took it */
    hand_over(fd, "{\"accepted\":%ld}", w->port);
  }
}

static void datagrams(struct watch *w) {
  static unsigned char data[65536];
  static char encoded[(sizeof data + 2) / 3 * 4 + 1];
  for (;;) {
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(w->fd, data, sizeof data, 0, (struct sockaddr *)&from, &len);
    if (n < 0) return;
    char address[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &from.sin_addr, address, sizeof address);
    b64_encode(data, (size_t)n, encoded);
    send_line("{\"datagram\":%ld,\"data\":\"%s\",\"address\":\"%s\",\"port\":%d}", w->port, encoded, address, ntohs(from.sin_port));
  }
}

static void reply(const char *line) {
  long port = json_long(line, "reply", -1), to = json_long(line, "port", -1);
  static char data64[MAX_MESSAGE / 2];
  static unsigned char data[65536];
  char address[64];
  if (!json_get(line, "data", data64, sizeof data64, NULL) || !json_get(line, "address", address, sizeof address, NULL)) return;
  long n = b64_decode(data64, data, sizeof data);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)to)};
  if (n < 0 || inet_pton(AF_INET, address, &a.sin_addr) != 1) return;
  for (int i = 0; i < udp_count; i++)
    if (udp_watches[i]->port == port) (void)sendto(udp_watches[i]->fd, data, (size_t)n, 0, (struct sockaddr *)&a, sizeof a);
}

static void on_message(const char *line) {
  char cmd[32];
  if (json_get(line, "cmd", cmd, sizeof cmd, NULL)) {
    if (!strcmp(cmd, "NODE_HANDLE_ACK")) on_ack(1);
    else if (!strcmp(cmd, "NODE_HANDLE_NACK")) on_ack(0);
    return; /* other internal messages of Node's are not for us */
  }
  if (json_long(line, "reply", -1) >= 0) {
    reply(line);
    return;
  }
  long id = json_long(line, "id", -1);
  if (id < 0) return;
  long port;
  if ((port = json_long(line, "udp", -1)) >= 0 || (port = json_long(line, "listen", -1)) >= 0) {
    serve_port(id, json_long(line, "udp", -1) >= 0 ? SOCK_DGRAM : SOCK_STREAM, port);
    return;
  }
  char host[256];
  if (!json_get(line, "host", host, sizeof host, NULL)) {
    send_line("{\"id\":%ld,\"ok\":false,\"error\":\"EINVAL\"}", id);
    return;
  }
  start_connect(id, host, json_long(line, "port", -1));
}

int main(void) {
  if (fcntl(CHANNEL, F_GETFD) < 0) {
    fprintf(stderr, "usage: sandlot-relay, started by the agent with its IPC channel on fd 3 (see host-agent/netns/relay.ts)\n");
    return 2;
  }
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die("epoll_create1");
  struct watch channel = {.fd = CHANNEL};
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &channel};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, CHANNEL, &ev) != 0) die("epoll_ctl");
  static char buf[MAX_MESSAGE];
  size_t have = 0;
  for (;;) {
    struct epoll_event events[32];
    int n = epoll_wait(epfd, events, 32, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      struct watch *w = events[i].data.ptr;
      if (w == &channel) {
        ssize_t r = read(CHANNEL, buf + have, sizeof buf - have - 1);
        if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) return 0; /* the agent is gone */
        if (r < 0) continue;
        have += (size_t)r;
        buf[have] = 0;
        char *start = buf, *nl;
        while ((nl = memchr(start, '\n', have - (size_t)(start - buf))) != NULL) {
          *nl = 0;
          on_message(start);
          start = nl + 1;
        }
        have -= (size_t)(start - buf);
        memmove(buf, start, have);
        if (have == sizeof buf - 1) have = 0; /* a line too long for any request of ours */
      } else if (w->kind == LISTENER) {
        accepted(w);
      } else if (w->kind == UDP) {
        datagrams(w);
      } else {
        connected(w);
      }
    }
  }
}
