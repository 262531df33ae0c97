// Names the compiler puts into generated code and the runtime recognises.
/** The async function a cell's program runs in; tracebacks call it <module>. */
export const CELL_FUNCTION = "__concnb_cell__";
