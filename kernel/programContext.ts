// What a worker is sent of the notebook for a job: the links (earlier cells)
// it does not hold yet, and of their values those its thread uses. A worker
// remembers per link which names it was given (PoolWorker.linkNames): a link
// held without a value a later thread uses is evaluated again, with those
// after it, since a const evaluated without its value cannot be set later.
import { pickValues as pick, type ChainLink, type ProgramContext, type Uses } from "./protocol/worker";
import type { PoolWorker } from "./pool";

/** Whether the worker holds every link of the chain, with the values it has now, those `uses` names among them. */
export function holdsAll(w: PoolWorker, chain: readonly ChainLink[], uses: Uses): boolean {
  return (
    w.chainIds.length === chain.length &&
    chain.every((l, i) => w.chainIds[i] === l.id && w.valuesIds[i] === (l.valuesId ?? l.id) && covers(w.linkNames[i], uses))
  );
}

/** The program's context for this worker's job: what of `chain` it lacks, and of their values those `uses` names (null: all). */
export function contextFor(base: ProgramContext, chain: readonly ChainLink[], w: PoolWorker, uses: Uses = null): ProgramContext {
  const names = uses === null ? null : new Set(uses);
  let from = 0;
  while (from < w.chainIds.length && from < chain.length && w.chainIds[from] === chain[from].id && covers(w.linkNames[from], uses)) from++;
  // links the worker holds, whose values a later cell changed: it gets the new values (runtime/core/bindings)
  const chainRebase = chain.slice(0, from).map((l, i) => {
    const valuesId = l.valuesId ?? l.id;
    if (w.valuesIds[i] === valuesId) return null;
    w.linkNames[i] = names;
    return { valuesId, values: pick(l.values, uses) };
  });
  const sent = chain.slice(from).map((l) => (uses === null ? l : { ...l, values: pick(l.values, uses) }));
  w.linkNames = [...w.linkNames.slice(0, from), ...sent.map(() => names)];
  return { ...base, chainFrom: from, chain: sent, chainRebase };
}

/** Whether the names a worker was given for a link (null: all of them) include every one of `uses`. */
function covers(held: ReadonlySet<string> | null | undefined, uses: Uses): boolean {
  if (held === null) return true;
  if (held === undefined || uses === null) return false;
  return uses.every((n) => held.has(n));
}
