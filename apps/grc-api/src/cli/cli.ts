/**
 * `grc`: the administration command line (commander). `grc --help` lists the commands, `grc <command> --help`
 * explains one; neither starts anything. Results go to stdout, reasons to stderr; exit 1 on any refusal.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/environment';
import { GRC_VERSION } from '../version';
import { COMMANDS } from './commands';
import { CliError, explainFailure, processIo, type CliIo } from './context';

export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('grc')
    .description('GRC — administration: town packs, first administrator, migrations, configuration, server')
    .version(GRC_VERSION, '-V, --version')
    .option('--verbose', 'show the framework logs (hidden by default, except for serve)')
    .showHelpAfterError('(grc --help lists the commands)')
    .addHelpText(
      'after',
      [
        '',
        'Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/grc; the database must exist: createdb),',
        'REDIS_URL (default redis://127.0.0.1:6379), GRC_QUEUE_PREFIX (one per town sharing a Redis), PORT, PUBLIC_URL…',
        'every variable: docs/configuration.md; `grc config check` prints the ones in use.',
        'A relative <folder> is read from the directory you run the command in.',
        'Your own town, from an empty folder to a running instance: docs/packs.md, "Bring your own town".',
      ].join('\n'),
    )
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();
  for (const make of COMMANDS) {
    // a refused option (commander's own message) goes to the same io as the rest, not straight to process.stderr
    const cmd = make(io).configureOutput(program.configureOutput()).showHelpAfterError('(grc --help lists the commands)').exitOverride();
    for (const sub of cmd.commands) sub.exitOverride();
    // `node main.js` and `node main.js --migrate …` (the image's CMD, older scripts) still mean serve
    program.addCommand(cmd, cmd.name() === 'serve' ? { isDefault: true } : {});
  }
  return program;
}

/** Runs the command line; resolves to the exit code (0 ok, 1 refused or failed). */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof CliError) io.err(`grc: ${e.message}`);
    else if (e instanceof ConfigError) io.err(`grc: ${e.message}`);
    else {
      const known = explainFailure(e);
      if (known) io.err(`grc: ${known}`);
      else
        io.err(`grc: ${e instanceof Error ? (process.env['NODE_ENV'] === 'production' ? e.message : (e.stack ?? e.message)) : String(e)}`);
    }
    return e instanceof CliError ? e.exitCode : 1;
  }
}
