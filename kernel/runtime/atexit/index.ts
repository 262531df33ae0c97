// "atexit", as cells import it: functions that run when the cell's program ends (handlers.ts).
export { register, unregister } from "./handlers";
