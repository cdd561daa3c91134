/** `seedcast info`: placeholder until the torrent creator lands. */
import { SeedcastError } from '../errors.js';
import type { Command } from './command.js';

export const info: Command = {
  help: 'Usage: seedcast info <torrent-file | magnet> [--json]',
  async run() {
    throw new SeedcastError('INTERNAL', 'not built yet');
  },
};
