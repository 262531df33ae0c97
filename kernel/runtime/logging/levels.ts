// Levels: Python's numbers and names, the names addLevelName() adds (kept in
// the shared configuration, so every thread prints them), and Python's
// checks of a level given by name or number.
import { PyTypeError, ValueError } from "../core/errors";
import { current, mutate } from "./config";
import { repr } from "./percent";

/** Python's logging.CRITICAL (50), also named FATAL. */
export const CRITICAL = 50;
/** Python's logging.FATAL: the same level as CRITICAL. */
export const FATAL = CRITICAL;
/** Python's logging.ERROR (40). */
export const ERROR = 40;
/** Python's logging.WARNING (30), also named WARN: the root logger's level until it is configured. */
export const WARNING = 30;
/** Python's logging.WARN: the same level as WARNING. */
export const WARN = WARNING;
/** Python's logging.INFO (20). */
export const INFO = 20;
/** Python's logging.DEBUG (10). */
export const DEBUG = 10;
/** Python's logging.NOTSET (0): a logger at NOTSET takes its level from its parents. */
export const NOTSET = 0;

/** A level: its number, or a level name such as "INFO". */
export type Level = number | string;

const builtinNames = new Map<number, string>([
  [CRITICAL, "CRITICAL"],
  [ERROR, "ERROR"],
  [WARNING, "WARNING"],
  [INFO, "INFO"],
  [DEBUG, "DEBUG"],
  [NOTSET, "NOTSET"],
]);
const builtinLevels = new Map<string, number>([
  ["CRITICAL", CRITICAL],
  ["FATAL", FATAL],
  ["ERROR", ERROR],
  ["WARN", WARNING],
  ["WARNING", WARNING],
  ["INFO", INFO],
  ["DEBUG", DEBUG],
  ["NOTSET", NOTSET],
]);

function nameToLevel(): Map<string, number> {
  const added = current().levelNames;
  if (added.size === 0) return builtinLevels;
  const m = new Map(builtinLevels);
  for (const [level, name] of added) m.set(name, level);
  return m;
}

/** The name of a level number ("Level 15" for one without a name); or, given a name, its number ("Level X" for an unknown one), as Python's getLevelName. */
export function getLevelName(level: Level): string | number {
  if (typeof level === "number") {
    const added = current().levelNames.get(level);
    if (added !== undefined) return added;
    return builtinNames.get(level) ?? `Level ${level}`;
  }
  return nameToLevel().get(level) ?? `Level ${level}`;
}

/** Names a level (every thread's records show the name). */
export function addLevelName(level: number, levelName: string): void {
  if (typeof level !== "number" || !Number.isInteger(level)) throw new PyTypeError("level must be an integer");
  mutate((doc) => {
    doc.levelNames.set(level, String(levelName));
  });
}

/** Every level name and its number (Python's getLevelNamesMapping()). */
export function getLevelNamesMapping(): Record<string, number> {
  return Object.fromEntries(nameToLevel());
}

/** Python's _checkLevel: a number as it is, a known name as its number; ValueError for an unknown name, TypeError for anything else. */
export function checkLevel(level: unknown): number {
  if (typeof level === "number" && Number.isInteger(level)) return level;
  if (typeof level === "string") {
    const n = nameToLevel().get(level);
    if (n === undefined) throw new ValueError(`Unknown level: ${repr(level)}`);
    return n;
  }
  throw new PyTypeError(`Level not an integer or a valid string: ${repr(level)}`);
}
