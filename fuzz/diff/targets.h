/* The three targets. Each case is drawn from the generator once (gen) and then run on each library
 * (exec), writing what a host can observe into a transcript; the driver compares the transcripts. */
#ifndef DIFF_TARGETS_H
#define DIFF_TARGETS_H
#include "buf.h"
#include "lib.h"

typedef struct {
  Buf cmp; /* compared between the libraries: rc, output bytes, error classes, log messages */
  Buf raw; /* shown in a report, not compared: the full error texts */
} Transcript;

typedef struct Case Case;
typedef struct {
  const char *name;
  Case *(*gen)(Rng *r, const char *tmpdir);
  void (*exec)(const Case *c, const Lib *lib, Transcript *t);
  /* A readable description of the case (the manifest, the plugin's operations, the call plan). */
  const char *(*describe)(const Case *c);
  void (*free)(Case *c);
} Target;

extern const Target TARGET_MANIFEST, TARGET_PLUGIN, TARGET_API;

/* Per process, before any case: a custom logger on both libraries showing plugin log lines. */
void targets_init_logging(const Lib *lib);

/* The class of an error text that must agree: up to the first ": " or newline. */
void error_class(const char *e, Buf *out);

#endif
