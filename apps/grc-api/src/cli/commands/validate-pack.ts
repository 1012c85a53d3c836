import { Command } from 'commander';
import { count } from '../../modules/packs/pack-loader';
import { packErrorInEnglish } from '../../modules/packs/pack-errors-en';
import { formatPackErrors, validatePackFolder } from '../../modules/packs/pack-validation';
import { CliError, contextOf, packFolder, type CliIo } from '../context';

export function validatePackCommand(io: CliIo): Command {
  return new Command('validate-pack')
    .description(
      'check a town pack folder without loading it: every error at once (schema, references, circuits), with file, line and path',
    )
    .argument('<folder>', 'the pack folder (town.yaml, departments.yaml, …, workflows/); relative to where you run the command')
    .option('--json', 'print the result as JSON (errors: [{ file, line, path, code?, message }], messages in English)')
    .action(async (folder: string, opts: { json?: boolean }, cmd: Command) => {
      contextOf(cmd, io);
      const v = await validatePackFolder(packFolder(folder));
      if (opts.json) io.out(JSON.stringify({ ok: v.errors.length === 0, errors: v.errors.map(packErrorInEnglish) }, null, 2));
      if (v.errors.length) {
        if (!opts.json) io.err(`${folder}: ${v.errors.length} error(s)\n${formatPackErrors(v.errors)}`);
        throw new CliError(`town pack ${folder} is invalid: nothing can be loaded while an error remains`);
      }
      const p = v.pack!;
      if (!opts.json)
        io.out(
          `${folder}: valid — ${p.town.name}: ` +
            [
              count(p.departments.length, 'department'),
              count(p.categories.length, 'category', 'categories'),
              count(p.routing.length, 'routing rule'),
              count(p.agents.length, 'agent'),
              count(p.sla?.calendars.length ?? 0, 'SLA calendar'),
              count(p.sla?.policies.length ?? 0, 'SLA policy', 'SLA policies'),
              `${count(v.workflows?.definitions.length ?? 0, 'circuit')} (${count(v.workflows?.bindings.length ?? 0, 'binding')})`,
              count((p.retention?.default ? 1 : 0) + (p.retention?.categories.length ?? 0), 'retention rule'),
              ...(p.demo ? [`demo tickets: ${p.demo.generation.count}`] : []),
            ].join(', '),
        );
    });
}
