// Code a new thread may run that its target does not name: a module that
// calls the notebook's code from inside its own (logging's handler classes,
// whose emit() runs in whichever thread logs) says where that code is, so
// that what it names is copied into the thread too (runtime/core/uses).
const providers: Array<() => readonly string[]> = [];

/** Registers a source of such code: called at each thread start, in the starting thread. */
export function addThreadCode(provider: () => readonly string[]): void {
  providers.push(provider);
}

/** The sources every provider gives now. */
export function threadCode(): string[] {
  return providers.flatMap((p) => p());
}
