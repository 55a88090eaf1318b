/* riskcalc/api.h -- RC_API marks the public functions of the library. The library is compiled
 * with -fvisibility=hidden, so the shared library exports exactly the functions declared with
 * RC_API in these headers (tests/cli/cli_abi.sh checks it); private functions shared
 * between the library's files stay hidden. */
#ifndef RISKCALC_API_H
#define RISKCALC_API_H

#if defined(__GNUC__) || defined(__clang__)
#define RC_API __attribute__((visibility("default")))
#else
#define RC_API
#endif

#endif
