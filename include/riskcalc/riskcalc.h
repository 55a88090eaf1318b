/* riskcalc/riskcalc.h -- umbrella header: includes every public module. */
#ifndef RISKCALC_RISKCALC_H
#define RISKCALC_RISKCALC_H

#include "riskcalc/closed.h"
#include "riskcalc/cost.h"
#include "riskcalc/deteq.h"
#include "riskcalc/error.h"
#include "riskcalc/fit.h"
#include "riskcalc/io.h"
#include "riskcalc/law.h"
#include "riskcalc/mc.h"
#include "riskcalc/measure.h"
#include "riskcalc/quad.h"
#include "riskcalc/ridge.h"
#include "riskcalc/rng.h"
#include "riskcalc/schedule.h"
#include "riskcalc/sgd.h"
#include "riskcalc/sketch.h"
#include "riskcalc/spectrum.h"
#include "riskcalc/tune.h"
#include "riskcalc/version.h"

#endif
