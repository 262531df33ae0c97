// One clock for every thread and process of the kernel, in microseconds: what
// the timeline's events are stamped with. process.hrtime is the system's
// monotonic clock (CLOCK_MONOTONIC), the same in every thread and process of
// the machine. Not performance.now(): each worker has its own origin, and an
// offset taken as a worker loads is off by milliseconds (Node moves the
// origin once the worker is ready), so lanes would slide against each other.
// A reading costs about 50 ns here, less than performance.now().

/** Microseconds on the machine's monotonic clock, the same in every thread and process. */
export function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}
