// Files that cannot be run: each is an error with a message that says why (exit 1), never a silent 0.
const refused = (r, re) => r.code === 1 && re.test(r.stderr) && !/── cell/.test(r.stdout);

export const cases = [
  {
    name: "a missing file",
    short: true,
    async run(h) {
      const r = await h.concnb([h.dir + "/no-such.concnb"]);
      return { ok: refused(r, /no such file/), detail: `exit ${r.code}: ${r.stderr.trim().split("\n")[0]}` };
    },
  },
  {
    name: "a binary file",
    short: true,
    async run(h) {
      const f = h.file("image.concnb", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
      const r = await h.concnb([f]);
      return { ok: refused(r, /not a text file/), detail: `exit ${r.code}: ${r.stderr.trim().split("\n")[0]}` };
    },
  },
  {
    name: "a cell left open",
    short: true,
    async run(h) {
      const f = h.file("open.concnb", '<!-- ts -->\n```ts\nconsole.log("never closed")\n');
      const r = await h.concnb([f]);
      return { ok: refused(r, /not closed/) && /was not run/.test(r.stderr), detail: `exit ${r.code}: ${r.stderr.trim().split("\n")[0]}` };
    },
  },
  {
    name: "a file that is not UTF-8",
    async run(h) {
      const f = h.file("latin1.concnb", Buffer.from('<!-- ts -->\n```ts\nconsole.log("caf\xe9")\n```\n', "latin1"));
      const r = await h.concnb([f]);
      return { ok: refused(r, /not UTF-8/), detail: `exit ${r.code}: ${r.stderr.trim().split("\n")[0]}` };
    },
  },
];
