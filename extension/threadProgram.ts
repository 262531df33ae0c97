// The program a "Run in thread" runs: the function, by name, as the target of
// a new Thread of the runtime, written as a learner would write it, so the
// thread is named as any thread is (`Thread-1 (worker)`) and an exception in
// it is reported as any thread's. The kernel runs it as an ephemeral program
// over the cells run so far. Pure, for plain mocha.

const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;

/** `args` is an expression list as typed (`3, "a"`), already checked by the language server. */
export function threadProgram(target: string, args: string): string {
  if (!IDENTIFIER.test(target)) throw new Error(`not a function name: ${JSON.stringify(target)}`);
  // the alias keeps a cell's own `Thread` (a subclass, say) out of the way; the
  // args sit on lines of their own so a `//` comment in them cannot eat the bracket
  return (
    `import { Thread as __concnb_Thread } from "threading";\n` +
    `new __concnb_Thread({ target: ${target}, args: [\n${args}\n] }).start();\n`
  );
}
