// What each runtime module exports, for the import check. The one list is the
// runtime's own (kernel/runtime/modules.ts); scripts/build.mjs
// asks a worker that loaded the built runtime for it, exactly as the kernel
// does at boot, and writes it, as JSON text, into this bundle in place of
// CONCNB_RUNTIME_EXPORTS.
import type { ModuleExports } from "../../kernel/protocol/worker";

declare const CONCNB_RUNTIME_EXPORTS: string;

export const runtimeExports: ModuleExports | undefined =
  typeof CONCNB_RUNTIME_EXPORTS === "undefined" ? undefined : (JSON.parse(CONCNB_RUNTIME_EXPORTS) as ModuleExports);
