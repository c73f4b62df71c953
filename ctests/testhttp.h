/* A small HTTP/1.1 server on 127.0.0.1 for the tests (t_http.c, t_pdk.c, t_upstream_wasm.c,
 * t_x_budget.c). One thread per connection, `Connection: close`. Routes:
 *   /ok       200 "ok body"            /404   404 "not found body"     /500  500 "server error body"
 *   /empty    200, empty body          /1000  200, 1000 bytes 'x'    /1m  200, 1 MiB of 'x'
 *   /headers  201 "hi" with headers X-B: 1, x-a: first, X-A: second
 *   /echo     200, body "<METHOD> <x-test header> <request body>" (chunked bodies decoded)
 *   /slow     200 "slow body" after 2 s    /slowbody  the headers at once, the body 2 s later
 *   /redir-ok 302 to /ok    /redir-localhost  302 to http://localhost:<port>/ok    /redir-loop  302 to itself
 *   /wasm     200, the bytes given to testhttp_serve_wasm    /wasm-post  the same for a POST with
 *             header x-test: wasm, else 403
 *   anything else: 400 "?" */
#ifndef CTESTS_TESTHTTP_H
#define CTESTS_TESTHTTP_H

#include <stddef.h>
#include <stdint.h>

/* Starts the server once per process (later calls return the same port); stops the test on failure. */
int testhttp_start(void);
/* A port on 127.0.0.1 with nothing listening. */
int testhttp_closed_port(void);
/* What the last request carried (copied under a lock). */
void testhttp_last(char method[16], char x_test[128], char body[256]);
/* Number of requests served so far. */
int testhttp_requests(void);
/* What /wasm and /wasm-post serve from now on (NULL: they answer 400); the bytes must stay valid. */
void testhttp_serve_wasm(const uint8_t *bytes, size_t len);

#endif
