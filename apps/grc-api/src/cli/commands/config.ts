import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../../config/config';
import {
  checkEnvironment,
  describeEnvironment,
  ENV_GROUPS,
  environmentMarkdown,
  withEnvironmentSection,
  type EnvGroup,
  unknownVariables,
} from '../../config/environment';
import { CliError, contextOf, type CliIo } from '../context';

export function configCommand(io: CliIo): Command {
  const config = new Command('config').description('the configuration (environment variables, docs/configuration.md)');
  config
    .command('check')
    .description('print the effective configuration (secrets masked); exit 1 naming every invalid variable')
    .option('--json', 'as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      contextOf(cmd, io);
      const { issues } = checkEnvironment();
      const rows = describeEnvironment();
      const unknown = unknownVariables();
      if (opts.json) io.out(JSON.stringify({ ok: issues.length === 0, variables: rows, issues, unknown }, null, 2));
      else {
        // one heading per group, in the reference's order (the schema lists some variables apart from their group)
        const order = Object.keys(ENV_GROUPS) as EnvGroup[];
        const sorted = [...rows].sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
        const effective = issues.length ? {} : effectivePaths();
        let group = '';
        for (const row of sorted) {
          // a default is the reference's text: its markdown quotes do not belong in a terminal
          const r = row.source === 'default' ? { ...row, value: row.value.replace(/`/g, '') } : row;
          if (r.group !== group) io.out(`${group ? '\n' : ''}# ${ENV_GROUPS[(group = r.group)]}`);
          const value =
            r.source === 'default' && effective[r.name]
              ? `${effective[r.name]}   (default: ${r.value})`
              : `${r.value}${r.source === 'default' ? '   (default)' : ''}`;
          io.out(`${r.name}=${value}`);
        }
      }
      if (unknown.length)
        io.err(
          `\n${unknown.length} variable(s) that no GRC process reads, ignored (a typo? every variable: docs/configuration.md):\n${unknown.map((n) => `  ${n}`).join('\n')}`,
        );
      if (issues.length) {
        io.err(
          `\n${issues.length} invalid variable(s):\n${issues.map((i) => `  ${i.name}=${JSON.stringify(i.value)}: ${i.message}`).join('\n')}`,
        );
        throw new CliError('invalid configuration: fix the variables above (docs/configuration.md)');
      }
    });
  config
    .command('doc')
    .description("print the reference table of every variable (docs/configuration.md's generated section)")
    .option('--write <file>', 'replace the generated section of this page (docs/configuration.md)')
    .action((opts: { write?: string }, cmd: Command) => {
      contextOf(cmd, io);
      if (!opts.write) return io.out(environmentMarkdown());
      writeFileSync(opts.write, withEnvironmentSection(readFileSync(opts.write, 'utf8')));
      io.out(`${opts.write}: generated section rewritten`);
    });
  return config;
}

/** The folders a default names (`<GRC_ROOT>/.data`…) as this process resolves them, and whether the console is built. */
function effectivePaths(): Partial<Record<string, string>> {
  const c = loadConfig();
  const built = existsSync(join(c.webDist, 'index.html')) ? '' : ' — not built: API only (`npm run grc -- serve` builds it on a clone)';
  return { GRC_ROOT: resolve(process.env['GRC_ROOT'] ?? process.cwd()), GRC_DATA_DIR: c.dataDir, GRC_WEB_DIST: `${c.webDist}${built}` };
}
