// Python's printf-style `%` operator, for log messages ("got %s in %.2f s" %
// args) and for format strings ("%(levelname)s:%(name)s" % record): the
// conversions, flags, width and precision Python takes, and its TypeErrors
// when arguments and conversions do not match, so a learner's mistake reads
// as it would in Python.
import { inspect } from "node:util";
import { define, PyTypeError, ValueError } from "../core/errors";

/** Python's KeyError: a `%(field)s` the mapping lacks (the Formatter turns it into its ValueError). */
export const KeyError = define("KeyError");

const SPEC = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?([diouxXeEfFgGcrsa%])?/g;

/** Python's str() of a value, as %s shows it. */
export function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (v instanceof Error) return v.message;
  return inspect(v, { colors: false, depth: 4 });
}

/** Python's repr() of a value, as %r shows it ('text' in single quotes, as inspect writes it). */
export function repr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  return inspect(v, { colors: false, depth: 4 });
}

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "string") return "str";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return (v.constructor?.name === "Object" ? "dict" : v.constructor?.name) ?? "object";
  return typeof v;
}

function number(v: unknown, conv: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return Number(v);
  if ("diouxX".includes(conv)) throw new PyTypeError(`%${conv} format: a real number is required, not ${pyTypeName(v)}`);
  throw new PyTypeError(`must be real number, not ${pyTypeName(v)}`);
}

/**
 * toFixed with Python's rounding: a value exactly halfway (2.25 to one place, as its binary value really is) rounds
 * to the even digit, where toFixed rounds up.
 */
function fixed(a: number, prec: number): string {
  const s = a.toFixed(prec);
  if (prec > 70) return s;
  const long = a.toFixed(prec + 30);
  const dot = long.indexOf(".");
  const cut = prec === 0 ? dot : dot + 1 + prec;
  if (!/^50*$/.test(long.slice(prec === 0 ? dot + 1 : cut))) return s;
  const down = long.slice(0, cut);
  return Number(down[down.length - 1]) % 2 === 0 ? down : s;
}

/** Python's exponent form: at least two digits (1e+05, not 1e+5). */
const pyExp = (s: string) => s.replace(/e([+-])(\d)$/, "e$10$2");

function formatNumber(v: unknown, conv: string, flags: string, prec: number | null): string {
  const n = number(v, conv);
  const sign = n < 0 || Object.is(n, -0) ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
  const a = Math.abs(n);
  let body: string;
  if (!Number.isFinite(a)) body = Number.isNaN(a) ? "nan" : "inf";
  else {
    switch (conv) {
      case "d":
      case "i":
      case "u":
        body = Math.trunc(a).toLocaleString("fullwide", { useGrouping: false });
        break;
      case "o":
        body = (flags.includes("#") ? "0o" : "") + Math.trunc(a).toString(8);
        break;
      case "x":
        body = (flags.includes("#") ? "0x" : "") + Math.trunc(a).toString(16);
        break;
      case "X":
        body = (flags.includes("#") ? "0X" : "") + Math.trunc(a).toString(16).toUpperCase();
        break;
      case "e":
      case "E":
        body = pyExp(a.toExponential(prec ?? 6));
        break;
      case "f":
      case "F":
        body = fixed(a, prec ?? 6);
        break;
      default: {
        // %g: Python's rule, exponent form when the exponent is < -4 or >= the precision, trailing zeros dropped
        const p = prec === 0 ? 1 : (prec ?? 6);
        const exp = a === 0 ? 0 : Math.floor(Math.log10(Number(a.toExponential(p - 1))));
        body = exp < -4 || exp >= p ? pyExp(a.toExponential(p - 1)) : fixed(a, Math.max(0, p - 1 - exp));
        if (!flags.includes("#")) body = body.replace(/(\.\d*?)0+(?=e|$)/, "$1").replace(/\.(?=e|$)/, "");
      }
    }
    if ("EFG".includes(conv)) body = body.toUpperCase();
  }
  return sign + body;
}

function pad(text: string, flags: string, width: number, numeric: boolean): string {
  if (text.length >= width) return text;
  if (flags.includes("-")) return text.padEnd(width);
  if (numeric && flags.includes("0") && /^[+\- ]?(0[xXo])?[0-9a-fA-F]/.test(text)) {
    const lead = /^[+\- ]?(0[xXo])?/.exec(text)![0];
    return lead + text.slice(lead.length).padStart(width - lead.length, "0");
  }
  return text.padStart(width);
}

/**
 * `format % args` as Python computes it. `args` is an array (Python's tuple), or a mapping (a plain object, or
 * `lookup`) for `%(name)s` fields. Raises TypeError for too few or too many arguments or a mismatched
 * conversion, KeyError for a field the mapping lacks, ValueError for an unsupported conversion.
 */
export function percent(format: string, args: unknown[] | ((key: string) => unknown)): string {
  const mapping = typeof args === "function" ? args : null;
  const list = Array.isArray(args) ? args : [];
  let next = 0;
  const take = (): unknown => {
    if (mapping) throw new PyTypeError("format requires a mapping");
    if (next >= list.length) throw new PyTypeError("not enough arguments for format string");
    return list[next++];
  };
  let out = "";
  let last = 0;
  SPEC.lastIndex = 0;
  for (let m = SPEC.exec(format); m; m = SPEC.exec(format)) {
    out += format.slice(last, m.index);
    last = SPEC.lastIndex;
    const [whole, key, flags, w, p, conv] = m;
    if (conv === undefined) {
      if (m.index + whole.length >= format.length) throw new ValueError("incomplete format");
      throw new ValueError(`unsupported format character '${format[m.index + whole.length]}' (0x${format.charCodeAt(m.index + whole.length).toString(16)}) at index ${m.index + whole.length}`);
    }
    if (conv === "%" && whole === "%%") {
      out += "%";
      continue;
    }
    const width = w === "*" ? Number(take()) : w ? Number(w) : 0;
    const prec = p === "*" ? Number(take()) : p !== undefined ? Number(p || 0) : null;
    let value: unknown;
    if (key !== undefined) {
      if (!mapping) throw new PyTypeError("format requires a mapping");
      value = mapping(key);
    } else value = take();
    let text: string;
    let numeric = false;
    if (conv === "s") text = str(value);
    else if (conv === "r" || conv === "a") text = repr(value);
    else if (conv === "c") {
      if (typeof value === "string" && value.length === 1) text = value;
      else if (typeof value === "number") text = String.fromCodePoint(value);
      else throw new PyTypeError(`%c requires an int or a unicode character, not ${pyTypeName(value)}`);
    } else if (conv === "%") text = "%";
    else {
      text = formatNumber(value, conv, flags, prec);
      numeric = true;
    }
    if (prec !== null && "sra".includes(conv)) text = text.slice(0, prec);
    out += pad(text, flags, width, numeric);
  }
  out += format.slice(last);
  if (!mapping && next < list.length) throw new PyTypeError("not all arguments converted during string formatting");
  return out;
}
