#!/usr/bin/env node
// The headless runner: `concnb run FILE [--json] [--timeout S]` (see kernel/cli.ts).
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const cli = join(__dirname, "..", "out", "cli.js");
if (!existsSync(cli)) {
  process.stderr.write("concnb: the runtime is not built yet: run `npm install` (or `npm run build`) in " + join(__dirname, "..") + "\n");
  process.exit(2);
}
require(cli);
