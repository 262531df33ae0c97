// The earlier cells' bindings in a worker, kept as Python's globals are: a
// thread sees them as they are when it starts, and a later cell sees what the
// last cell left in them. A worker holds each earlier cell evaluated once
// (scope.ts); with it, the values the kernel knows for its bindings (`base`).
// At each job the worker's copies are put back to `base` where an earlier
// job changed them, and a new thread is given what its starter's copies hold
// beyond `base` (a delta). Finding a change compares values against `base`,
// element by element, which costs far less than encoding and decoding them.
import type { ChainRebase, ChainValues, EncodedValues } from "../../protocol/worker";
import { decodeKeeping, encode, sameAsEncoded, type ClassLookup } from "./share";
import { heldLinks, type Evaluator } from "./scope";

/** The kernel's newer values for links this worker held already (ProgramContext.chainRebase). */
export function rebaseChain(rebase: ChainRebase | undefined): void {
  heldLinks().forEach((h, i) => {
    const r = rebase?.[i];
    if (r) Object.assign(h, { base: r.values, valuesId: r.valuesId });
  });
}

/**
 * The bindings whose values here differ from `base`, per link (null: none), as they are here: raw, not encoded;
 * of those `only` names (null: all).
 */
function changed(only: ReadonlySet<string> | null = null): Array<Record<string, unknown> | null> {
  return heldLinks().map((h) => {
    if (!h.scope.values) return null; // a cell without bindings
    let now: Record<string, unknown>;
    try {
      now = h.scope.values();
    } catch {
      return null; // a binding not initialized: nothing to say about it
    }
    let out: Record<string, unknown> | null = null;
    for (const name of Object.keys(now)) {
      if (only && !only.has(name)) continue;
      let same: boolean;
      try {
        same = sameAsEncoded(now[name], h.base[name]);
      } catch {
        same = false; // a getter or a proxy that throws: encoding it will tell
      }
      if (!same) (out ??= {})[name] = now[name];
    }
    return out;
  });
}

/**
 * What this thread's copies of the earlier cells' bindings hold beyond the kernel's values: for a thread it
 * starts (of the names it uses: comparing a large array it never reads would cost every start()), or for the kernel.
 */
export function chainDelta(only: ReadonlySet<string> | null = null): ChainValues {
  const delta = changed(only);
  if (!delta.some((d) => d)) return [];
  try {
    return encode(delta) as ChainValues;
  } catch {
    // a value that throws when read (a getter, a proxy): each binding alone, leaving out those that fail
    return delta.map((d) => {
      if (!d) return null;
      const out: EncodedValues = {};
      for (const name of Object.keys(d)) {
        try {
          out[name] = encode(d[name]);
        } catch {
          // left out: the other thread keeps the kernel's value
        }
      }
      return out;
    });
  }
}

/** Puts back to the kernel's values the copies an earlier job of this worker changed (a thread's `limit = 99`, `seen.push(x)`). */
export function restoreChain(lookup: ClassLookup): void {
  const dirty = changed();
  if (!dirty.some((d) => d)) return;
  const links = heldLinks();
  setBindings(dirty.map((d, i) => (d ? Object.fromEntries(Object.keys(d).map((name) => [name, links[i].base[name]])) : null)), lookup);
}

/** Gives the earlier cells' bindings the values of a delta (chainDelta's, from the thread that started this one). */
export function applyChainDelta(delta: ChainValues, lookup: ClassLookup): void {
  if (delta.some((d) => d)) setBindings(delta, lookup);
}

/**
 * Sets bindings, per link, to encoded values: a `let` or `var` gets the value; a `const` object stays the same
 * object, refilled in place (and what refers to it, refers to it still).
 */
function setBindings(values: ChainValues, lookup: ClassLookup): void {
  const links = heldLinks().slice(0, values.length);
  const keep = new Map<unknown, object>();
  links.forEach((h, i) => {
    const v = values[i];
    if (!v || !h.scope.values || !h.scope.consts?.length) return;
    let now: Record<string, unknown>;
    try {
      now = h.scope.values();
    } catch {
      return;
    }
    for (const name of h.scope.consts) {
      const target = now[name];
      if (target !== null && typeof target === "object" && name in v) keep.set(v[name], target);
    }
  });
  let decoded: Array<Record<string, unknown> | null>;
  try {
    decoded = decodeKeeping(values, keep, lookup) as Array<Record<string, unknown> | null>;
  } catch {
    return; // nothing set: the bindings keep what they have
  }
  links.forEach((h, i) => {
    if (decoded[i]) h.scope.assign?.(decoded[i]);
  });
}

/**
 * Whether a cell's bindings in `scope` are what `values` encode, all of them compared at once: two bindings
 * that were one object, and no longer are (or the other way round), differ too.
 */
function holds(scope: Evaluator, values: EncodedValues): boolean {
  let now: Record<string, unknown>;
  try {
    now = scope.values?.() ?? {};
  } catch {
    return false;
  }
  const seen = new Map<object, unknown>();
  try {
    for (const name of Object.keys(values)) if (!sameAsEncoded(now[name], values[name], seen)) return false;
  } catch {
    return false; // a getter or a proxy that throws
  }
  return new Set(seen.values()).size === seen.size;
}

/**
 * Gives a cell's bindings, evaluated by an earlier job, the values a new thread was started with (a thread's
 * copies are as its starter's were at start(), whatever the last thread on this worker did to them): `let`s
 * and `var`s are set, `const` objects refilled in place. False if they cannot all be (a `const` no longer
 * refillable): the definitions must be evaluated again.
 */
export function refreshScope(scope: Evaluator, values: EncodedValues, lookup: ClassLookup): boolean {
  if (holds(scope, values)) return true;
  if (!scope.values || !scope.assign) return false;
  const keep = new Map<unknown, object>();
  try {
    const now = scope.values();
    for (const name of scope.consts ?? []) {
      const target = now[name];
      if (target !== null && typeof target === "object" && name in values) keep.set(values[name], target);
    }
    scope.assign(decodeKeeping(values, keep, lookup) as Record<string, unknown>);
  } catch {
    return false;
  }
  return holds(scope, values);
}
