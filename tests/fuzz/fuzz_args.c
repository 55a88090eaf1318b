/* Fuzz target: the whole argument parser of the tool. The input is split at newlines into
 * argv; its first word picks the subcommand (linear or fit, the two that honour
 * cli_parse_only), the rest are its arguments. cli_parse_only stops each after parsing and
 * checking every option and the input files it names, before any computation or output.
 * Standard input is /dev/null (a --spectrum /dev/stdin must not wait). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz_util.h"

#define MAX_ARGS 48

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  cli_parse_only = 1;
  if (!freopen("/dev/null", "r", stdin))
    return 0;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_string(data, size);
  if (!text)
    return 0;
  char *argv[MAX_ARGS + 1];
  int argc = 0;
  for (char *p = text; argc < MAX_ARGS;) {
    argv[argc++] = p;
    char *nl = strchr(p, '\n');
    if (!nl)
      break;
    *nl = '\0';
    p = nl + 1;
  }
  argv[argc] = NULL;
  if (argc >= 1) {
    if (strcmp(argv[0], "fit") == 0)
      cmd_fit(argc - 1, argv + 1, "riskcalc fuzz");
    else
      cmd_linear(argc - 1, argv + 1, "riskcalc fuzz");
  }
  cli_warnings_flush();
  free(text);
  return 0;
}
