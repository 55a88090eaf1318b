/* tests/test_error.c -- status codes, their descriptions and the error record. */
#include <stdio.h>
#include <string.h>

#include "rc_test.h"
#include "riskcalc/error.h"
#include "riskcalc/schedule.h"

/* Every code of the X-macro list, so the tests follow the list as it grows. */
static const int all_codes[] = {
#define RC_TEST_CODE(name, value, text) name,
    RC_STATUS_LIST(RC_TEST_CODE)
#undef RC_TEST_CODE
};
static const char *const all_names[] = {
#define RC_TEST_NAME(name, value, text) #name,
    RC_STATUS_LIST(RC_TEST_NAME)
#undef RC_TEST_NAME
};
#define N_CODES (sizeof all_codes / sizeof all_codes[0])

static void test_codes_distinct(void) {
  CHECK(RC_SUCCESS == 0);
  CHECK(N_CODES >= 9);
  for (size_t i = 0; i < N_CODES; i++) {
    if (i > 0)
      CHECK(all_codes[i] > 0);
    for (size_t j = 0; j < i; j++)
      CHECK(all_codes[i] != all_codes[j]);
  }
}

static void test_strerror_distinct(void) {
  const char *unknown = rc_strerror(-12345);
  for (size_t i = 0; i < N_CODES; i++) {
    const char *s = rc_strerror(all_codes[i]);
    CHECK(s != NULL && s[0] != '\0');
    if (!s || strcmp(s, unknown) == 0)
      printf("    %s has no description\n", all_names[i]);
    for (size_t j = 0; s && j < i; j++)
      CHECK(strcmp(s, rc_strerror(all_codes[j])) != 0);
  }
  CHECK(strcmp(rc_strerror(RC_SUCCESS), "success") == 0);
  CHECK(strcmp(rc_strerror(RC_ENOMEM), "not enough memory") == 0);
}

static void test_strerror_unknown(void) {
  const int unknown[] = {-1, -12345, 1000, 2385};
  int largest = 0;
  for (size_t i = 0; i < N_CODES; i++)
    largest = all_codes[i] > largest ? all_codes[i] : largest;
  CHECK(strcmp(rc_strerror(largest + 1), "unknown status") == 0);
  for (size_t k = 0; k < 4; k++)
    CHECK(strcmp(rc_strerror(unknown[k]), "unknown status") == 0);
}

static void test_error_set(void) {
  rc_error err;
  rc_error_clear(&err);
  CHECK(err.status == RC_SUCCESS && err.message[0] == '\0');
  CHECK_STATUS(rc_error_set(&err, RC_EPARSE, "%s:%d: '%s' is %.3f", "f.txt", 7, "x", 2.385),
               RC_EPARSE);
  CHECK(err.status == RC_EPARSE);
  CHECK(strcmp(err.message, "f.txt:7: 'x' is 2.385") == 0);
  /* A later error replaces the earlier one; clear resets it. */
  CHECK_STATUS(rc_error_set(&err, RC_EIO, "second"), RC_EIO);
  CHECK(err.status == RC_EIO && strcmp(err.message, "second") == 0);
  rc_error_clear(&err);
  CHECK(err.status == RC_SUCCESS && err.message[0] == '\0');
}

/* NULL records are accepted everywhere: the status is still returned. */
static void test_null_error(void) {
  CHECK_STATUS(rc_error_set(NULL, RC_EUNSTABLE, "gamma %g", 2.385), RC_EUNSTABLE);
  CHECK_STATUS(rc_error_set(NULL, RC_SUCCESS, "nothing"), RC_SUCCESS);
  rc_error_clear(NULL);
}

/* Messages longer than the record are truncated, still NUL-terminated. */
/* The fuzz finding of tests/fuzz/fuzz_schedule.c: a spec with line breaks ("stages\n\n:sqia,")
 * gave a two-line message. Every message is one line. */
static void test_one_line(void) {
  rc_error err = {0, ""};
  rc_error_set(&err, RC_EPARSE, "unknown schedule '%s'", "stages\n\n:sqia,\t\x7f");
  CHECK(strcmp(err.message, "unknown schedule 'stages?\?:sqia,?\?'") == 0);
  rc_schedule *s = rc_schedule_parse("stages\n\n:sqia,", 0.1, &err);
  CHECK(s == NULL && strchr(err.message, '\n') == NULL);
  rc_schedule_free(s);
}

static void test_long_message(void) {
  char longtext[3 * RC_ERROR_MESSAGE_SIZE];
  memset(longtext, 'z', sizeof longtext - 1);
  longtext[sizeof longtext - 1] = '\0';
  rc_error err;
  rc_error_clear(&err);
  CHECK_STATUS(rc_error_set(&err, RC_EINVAL, "%s", longtext), RC_EINVAL);
  CHECK(strlen(err.message) == RC_ERROR_MESSAGE_SIZE - 1);
  CHECK(err.message[0] == 'z' && err.status == RC_EINVAL);
}

int main(void) {
  TEST_MAIN_BEGIN();
  RUN_TEST(test_codes_distinct);
  RUN_TEST(test_strerror_distinct);
  RUN_TEST(test_strerror_unknown);
  RUN_TEST(test_error_set);
  RUN_TEST(test_one_line);
  RUN_TEST(test_null_error);
  RUN_TEST(test_long_message);
  TEST_MAIN_END("test_error");
}
