/* riskcalc/version.h -- library version. */
#ifndef RISKCALC_VERSION_H
#define RISKCALC_VERSION_H

#include "riskcalc/api.h"

#define RC_VERSION_MAJOR 0
#define RC_VERSION_MINOR 1
#define RC_VERSION_PATCH 0
#define RC_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the linked library (may differ from RC_VERSION_STRING of the headers). */
RC_API const char *rc_version(void);

#ifdef __cplusplus
}
#endif
#endif
