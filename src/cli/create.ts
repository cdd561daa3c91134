/** `seedcast create`: placeholder until the torrent creator lands. */
import { SeedcastError } from '../errors.js';
import type { Command } from './command.js';

export const create: Command = {
  help: 'Usage: seedcast create <path> [-o FILE] [-a URL]... [-w URL]... [--piece-length BYTES] [--private] [--v1 | --v2 | --hybrid] [--comment TEXT]',
  async run() {
    throw new SeedcastError('INTERNAL', 'not built yet');
  },
};
