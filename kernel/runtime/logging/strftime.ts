// Python's time.strftime over local time, for %(asctime)s and a Formatter's
// datefmt: the directives Python documents (C's, as glibc prints them).
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const two = (n: number) => String(n).padStart(2, "0");

function dayOfYear(d: Date): number {
  return Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() - new Date(d.getFullYear(), 0, 1).getTime()) / 86_400_000) + 1;
}

function zone(d: Date): string {
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return (off < 0 ? "-" : "+") + two(Math.floor(a / 60)) + two(a % 60);
}

function zoneName(d: Date): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d).find((p) => p.type === "timeZoneName");
  return part?.value ?? "";
}

/** `format` with each %-directive replaced by its part of the local time `seconds` (since the epoch). */
export function strftime(format: string, seconds: number): string {
  const d = new Date(seconds * 1000);
  const h12 = d.getHours() % 12 || 12;
  const parts: Record<string, () => string> = {
    a: () => DAYS[d.getDay()].slice(0, 3),
    A: () => DAYS[d.getDay()],
    b: () => MONTHS[d.getMonth()].slice(0, 3),
    B: () => MONTHS[d.getMonth()],
    c: () => `${parts.a()} ${parts.b()} ${String(d.getDate()).padStart(2)} ${parts.X()} ${d.getFullYear()}`,
    d: () => two(d.getDate()),
    H: () => two(d.getHours()),
    I: () => two(h12),
    j: () => String(dayOfYear(d)).padStart(3, "0"),
    m: () => two(d.getMonth() + 1),
    M: () => two(d.getMinutes()),
    p: () => (d.getHours() < 12 ? "AM" : "PM"),
    S: () => two(d.getSeconds()),
    w: () => String(d.getDay()),
    x: () => `${parts.m()}/${parts.d()}/${parts.y()}`,
    X: () => `${parts.H()}:${parts.M()}:${parts.S()}`,
    y: () => two(d.getFullYear() % 100),
    Y: () => String(d.getFullYear()),
    z: () => zone(d),
    Z: () => zoneName(d),
    "%": () => "%",
  };
  return format.replace(/%(.)/g, (whole, c: string) => (parts[c] ? parts[c]() : whole));
}
