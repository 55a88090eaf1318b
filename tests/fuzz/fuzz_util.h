/* tests/fuzz/fuzz_util.h -- shared pieces of the libFuzzer targets (`make fuzz`). */
#ifndef RC_FUZZ_UTIL_H
#define RC_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The entry libFuzzer calls with each input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (cut at its first NUL, as a C argument would be). */
static inline char *fuzz_string(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (s) {
    memcpy(s, data, size);
    s[size] = '\0';
  }
  return s;
}

/* The input as a file: written to a per-process temporary path (the readers take paths). */
static inline const char *fuzz_file(const uint8_t *data, size_t size) {
  static char path[64];
  if (!path[0])
    snprintf(path, sizeof path, "/tmp/rc_fuzz_%ld.txt", (long)getpid());
  FILE *f = fopen(path, "wb");
  if (!f)
    return NULL;
  fwrite(data, 1, size, f);
  fclose(f);
  return path;
}

#endif
