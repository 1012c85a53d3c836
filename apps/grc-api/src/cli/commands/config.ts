import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { checkEnvironment, describeEnvironment, ENV_GROUPS, environmentMarkdown, withEnvironmentSection } from '../../config/environment';
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
      if (opts.json) io.out(JSON.stringify({ ok: issues.length === 0, variables: rows, issues }, null, 2));
      else {
        let group = '';
        for (const r of rows) {
          if (r.group !== group) io.out(`${group ? '\n' : ''}# ${ENV_GROUPS[(group = r.group)]}`);
          io.out(`${r.name}=${r.value}${r.source === 'default' ? '   (default)' : ''}`);
        }
      }
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
