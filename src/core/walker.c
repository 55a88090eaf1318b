/* The schedule walker (src/core/walker.h). */
#include "core/walker.h"

#include <stdlib.h>

/* Indices of Ns by increasing N, ties in index order (stable): insertion sort, since qsort
 * has no context pointer in C11 and the lists are short. */
static void sort_by_N(size_t *order, const uint64_t *Ns, size_t count) {
  for (size_t i = 0; i < count; i++)
    order[i] = i;
  for (size_t i = 1; i < count; i++) {
    const size_t v = order[i];
    size_t j = i;
    while (j > 0 && Ns[order[j - 1]] > Ns[v]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = v;
  }
}

/* The end of the run starting at t of horizon N: the stage end, cut at the next phase
 * boundary and at target. */
static uint64_t run_end(const rc_schedule *s, uint64_t t, uint64_t N, uint64_t target) {
  uint64_t end = rc_schedule_stage_end(s, t, N);
  const uint64_t phase_end = rc_schedule_phase_end(s, t, N);
  if (end > phase_end)
    end = phase_end;
  return end < target ? end : target;
}

double rc_walk_steps(const rc_schedule *s, const uint64_t *Ns, size_t count) {
  double steps = 0, largest = 0;
  for (size_t k = 0; k < count; k++) {
    int seen = 0;
    for (size_t q = 0; q < k && !seen; q++)
      seen = Ns[q] == Ns[k];
    steps += seen ? 0.0 : (double)Ns[k];
    largest = (double)Ns[k] > largest ? (double)Ns[k] : largest;
  }
  return rc_schedule_horizon_dependent(s) ? steps : largest;
}

int rc_walk(const rc_schedule *s, const uint64_t *Ns, size_t count, const rc_walk_callbacks *cb,
            void *model, const rc_walk_options *options, rc_error *err) {
  if (!cb || !cb->start || !cb->advance || !cb->record)
    return rc_error_set(err, RC_EINVAL, "walker callbacks are required");
  uint64_t N_max = 0;
  int status = rc_schedule_check_horizons(s, Ns, count, &N_max, err);
  if (status)
    return status;
  const rc_walk_options o = options ? *options : (rc_walk_options){0, NULL, NULL};
  size_t *order = malloc(count * sizeof *order);
  if (!order)
    return rc_error_set(err, RC_ENOMEM, "out of memory for %zu horizons", count);
  sort_by_N(order, Ns, count);
  const int per_horizon = rc_schedule_horizon_dependent(s);
  const double total = rc_walk_steps(s, Ns, count);
  double done = 0;
  size_t k = 0;
  while (k < count && !status) {
    const uint64_t horizon = per_horizon ? Ns[order[k]] : N_max;
    if ((status = cb->start(model, horizon, err)))
      break;
    uint64_t t = 0;
    while (k < count && (!per_horizon || Ns[order[k]] == horizon) && !status) {
      const uint64_t target = Ns[order[k]];
      while (t < target && !status) {
        uint64_t end = run_end(s, t, horizon, target);
        if (o.max_run && end - t > o.max_run)
          end = t + o.max_run;
        const rc_walk_pos pos = {t, horizon, rc_schedule_phase(s, t, horizon)};
        status = cb->advance(model, rc_schedule_gamma(s, t, horizon), end - t, &pos, err);
        done += (double)(end - t);
        t = end;
        if (!status && o.progress && o.progress(o.progress_context, done / total))
          status = rc_error_set(err, RC_ECANCEL, "cancelled");
      }
      if (!status)
        status = cb->record(model, target, order[k], err);
      k++;
    }
  }
  free(order);
  return status;
}

int rc_walk_together(const rc_schedule *s, const uint64_t *Ns, size_t count,
                     const rc_walk_group_callbacks *cb, void *model, const rc_walk_options *options,
                     rc_error *err) {
  if (!cb || !cb->start || !cb->group || !cb->record)
    return rc_error_set(err, RC_EINVAL, "walker callbacks are required");
  int status = rc_schedule_check_horizons(s, Ns, count, NULL, err);
  if (status)
    return status;
  const rc_walk_options o = options ? *options : (rc_walk_options){0, NULL, NULL};
  size_t *order = malloc(count * sizeof *order);
  /* pass h: its horizon, its position, and the scratch of one round */
  uint64_t *hN = malloc(count * sizeof *hN), *t = calloc(count, sizeof *t);
  uint64_t *counts = malloc(count * sizeof *counts);
  size_t *ids = malloc(count * sizeof *ids);
  if (!order || !hN || !t || !counts || !ids) {
    status = rc_error_set(err, RC_ENOMEM, "out of memory for %zu horizons", count);
    goto done;
  }
  sort_by_N(order, Ns, count);
  size_t H = 0;
  for (size_t k = 0; k < count; k++)
    if (k == 0 || Ns[order[k]] != Ns[order[k - 1]])
      hN[H++] = Ns[order[k]];
  for (size_t h = 0; h < H && !status; h++)
    status = cb->start(model, h, hN[h], err);
  const double total = rc_walk_steps(s, Ns, count);
  double done_steps = 0;
  size_t h0 = 0;
  while (!status) {
    while (h0 < H && t[h0] == hN[h0])
      h0++;
    if (h0 == H)
      break;
    const double g = rc_schedule_gamma(s, t[h0], hN[h0]);
    size_t n = 0;
    for (size_t h = h0; h < H; h++) {
      if (t[h] == hN[h] || rc_schedule_gamma(s, t[h], hN[h]) != g)
        continue;
      const uint64_t end = run_end(s, t[h], hN[h], hN[h]);
      ids[n] = h;
      counts[n++] = end - t[h];
      done_steps += (double)(end - t[h]);
      t[h] = end;
    }
    status = cb->group(model, g, n, ids, counts, err);
    if (!status && o.progress && o.progress(o.progress_context, done_steps / total))
      status = rc_error_set(err, RC_ECANCEL, "cancelled");
  }
  for (size_t k = 0, h = 0; k < count && !status; k++) {
    if (k > 0 && Ns[order[k]] != Ns[order[k - 1]])
      h++;
    status = cb->record(model, h, Ns[order[k]], order[k], err);
  }
done:
  free(order);
  free(hN);
  free(t);
  free(counts);
  free(ids);
  return status;
}
