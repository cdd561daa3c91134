/** The shape of one CLI command module: its `--help` text and its run function (resolves to an exit code). */
export interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}
