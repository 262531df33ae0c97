// "sharedctypes", as cells import it (Python's multiprocessing.sharedctypes): memory that threads really share.
export { Value, RawValue, SharedArrayOf as Array, RawArray } from "./sharedctypes";
