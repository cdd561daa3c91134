/** Runs the CLI from source (used by tests through tsx; the published entry is bin/seedcast.js). */
import { main } from './main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
