#!/usr/bin/env node
// Entry point of the `seedcast` command: loads the compiled CLI (built by `npm run build`, which `npm install` runs).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
