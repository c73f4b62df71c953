/* The tests' HTTP server: see testhttp.h. */
#include "testhttp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static int port;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char last_method[16], last_x_test[128], last_body[256];
static int requests;
/* What /wasm and /wasm-post serve (testhttp_serve_wasm). */
static const uint8_t *wasm_bytes;
static size_t wasm_len;

static void respond(int fd, int status, const char *reason, const char *extra, const char *body,
                    size_t len) {
  char head[512];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %d %s\r\nContent-Length: %lu\r\n%sConnection: close\r\n\r\n", status,
                   reason, (unsigned long)len, extra);
  if (write(fd, head, (size_t)n) < 0 || (len && write(fd, body, len) < 0))
    return;
}

static void *serve(void *v) {
  int fd = (int)(intptr_t)v;
  char buf[8192], method[16] = "", path[256] = "", x_test[128] = "", *end, *line;
  size_t got = 0, header_len, content_length = 0;
  ssize_t r;
  int chunked = 0;
  while (got < sizeof buf - 1 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0) {
    got += (size_t)r;
    buf[got] = 0;
    if (strstr(buf, "\r\n\r\n"))
      break;
  }
  buf[got] = 0;
  if ((end = strstr(buf, "\r\n\r\n")) == NULL) {
    close(fd);
    return NULL;
  }
  header_len = (size_t)(end - buf) + 4;
  sscanf(buf, "%15s %255s", method, path);
  for (line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
    if (strncasecmp(line + 2, "content-length:", 15) == 0)
      content_length = (size_t)strtoul(line + 17, NULL, 10);
    else if (strncasecmp(line + 2, "x-test:", 7) == 0)
      sscanf(line + 9, " %127[^\r]", x_test);
    else if (strncasecmp(line + 2, "transfer-encoding:", 18) == 0 && strstr(line + 20, "chunked"))
      chunked = 1;
  }
  if (chunked) { /* read to the last chunk, then decode in place */
    char *in, *outp;
    while (!strstr(buf + header_len, "0\r\n\r\n") && got < sizeof buf - 1 &&
           (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0) {
      got += (size_t)r;
      buf[got] = 0;
    }
    for (in = outp = buf + header_len;;) {
      size_t n = (size_t)strtoul(in, &in, 16);
      if (n == 0 || !(in = strstr(in, "\r\n")))
        break;
      memmove(outp, in + 2, n);
      outp += n;
      in += 2 + n + 2;
    }
    *outp = 0;
  } else {
    while (got < header_len + content_length && got < sizeof buf - 1 &&
           (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
      got += (size_t)r;
    buf[got] = 0;
  }
  pthread_mutex_lock(&lock);
  requests++;
  snprintf(last_method, sizeof last_method, "%s", method);
  snprintf(last_x_test, sizeof last_x_test, "%s", x_test);
  snprintf(last_body, sizeof last_body, "%s", buf + header_len);
  pthread_mutex_unlock(&lock);

  if (strcmp(path, "/ok") == 0)
    respond(fd, 200, "OK", "", "ok body", 7);
  else if (strcmp(path, "/404") == 0)
    respond(fd, 404, "Not Found", "", "not found body", 14);
  else if (strcmp(path, "/500") == 0)
    respond(fd, 500, "Internal Server Error", "", "server error body", 17);
  else if (strcmp(path, "/empty") == 0)
    respond(fd, 200, "OK", "", "", 0);
  else if (strcmp(path, "/1000") == 0) {
    char body[1000];
    memset(body, 'x', sizeof body);
    respond(fd, 200, "OK", "", body, sizeof body);
  } else if (strcmp(path, "/1m") == 0) {
    char *body = malloc(1 << 20);
    if (body != NULL) {
      memset(body, 'x', 1 << 20);
      respond(fd, 200, "OK", "", body, 1 << 20);
      free(body);
    } else {
      respond(fd, 500, "Internal Server Error", "", "no memory", 9);
    }
  } else if (strcmp(path, "/slow") == 0) {
    sleep(2);
    respond(fd, 200, "OK", "", "slow body", 9);
  } else if (strcmp(path, "/slowbody") == 0) {
    /* the headers at once, the body 2 s later */
    const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\n";
    if (write(fd, head, strlen(head)) >= 0) {
      sleep(2);
      if (write(fd, "slow body", 9) < 0)
        perror("write");
    }
  } else if (strcmp(path, "/redir-ok") == 0)
    respond(fd, 302, "Found", "Location: /ok\r\n", "moved", 5);
  else if (strcmp(path, "/redir-localhost") == 0) {
    char loc[96];
    snprintf(loc, sizeof loc, "Location: http://localhost:%d/ok\r\n", port);
    respond(fd, 302, "Found", loc, "moved", 5);
  } else if (strcmp(path, "/redir-loop") == 0)
    respond(fd, 302, "Found", "Location: /redir-loop\r\n", "moved", 5);
  else if (strcmp(path, "/wasm") == 0 && wasm_bytes)
    respond(fd, 200, "OK", "", (const char *)wasm_bytes, wasm_len);
  else if (strcmp(path, "/wasm-post") == 0 && wasm_bytes) {
    if (strcmp(method, "POST") == 0 && strcmp(x_test, "wasm") == 0)
      respond(fd, 200, "OK", "", (const char *)wasm_bytes, wasm_len);
    else
      respond(fd, 403, "Forbidden", "", "no", 2);
  } else if (strcmp(path, "/headers") == 0)
    respond(fd, 201, "Created", "X-B: 1\r\nx-a: first\r\nX-A: second\r\n", "hi", 2);
  else if (strcmp(path, "/echo") == 0) {
    char body[512];
    int n = snprintf(body, sizeof body, "%s %s %s", method, x_test, buf + header_len);
    respond(fd, 200, "OK", "", body, (size_t)n);
  } else
    respond(fd, 400, "Bad Request", "", "?", 1);
  close(fd);
  return NULL;
}

static void *accept_loop(void *v) {
  int s = (int)(intptr_t)v;
  for (;;) {
    int c = accept(s, NULL, NULL);
    pthread_t th;
    if (c < 0)
      continue;
    if (pthread_create(&th, NULL, serve, (void *)(intptr_t)c) == 0)
      pthread_detach(th);
    else
      close(c);
  }
  return NULL;
}

int testhttp_start(void) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int s, one = 1;
  pthread_t th;
  if (port)
    return port;
  s = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(s >= 0);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
  REQUIRE(listen(s, 16) == 0);
  REQUIRE(getsockname(s, (struct sockaddr *)&a, &len) == 0);
  REQUIRE(pthread_create(&th, NULL, accept_loop, (void *)(intptr_t)s) == 0);
  pthread_detach(th);
  port = ntohs(a.sin_port);
  return port;
}

int testhttp_closed_port(void) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int s = socket(AF_INET, SOCK_STREAM, 0), p;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(s, (struct sockaddr *)&a, &len))
    p = 1;
  else
    p = ntohs(a.sin_port);
  close(s);
  return p;
}

void testhttp_last(char method[16], char x_test[128], char body[256]) {
  pthread_mutex_lock(&lock);
  memcpy(method, last_method, 16);
  memcpy(x_test, last_x_test, 128);
  memcpy(body, last_body, 256);
  pthread_mutex_unlock(&lock);
}

int testhttp_requests(void) {
  int n;
  pthread_mutex_lock(&lock);
  n = requests;
  pthread_mutex_unlock(&lock);
  return n;
}

void testhttp_serve_wasm(const uint8_t *bytes, size_t len) {
  wasm_bytes = bytes;
  wasm_len = len;
}
