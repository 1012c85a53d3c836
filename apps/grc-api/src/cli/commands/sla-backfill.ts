import { Command } from 'commander';
import { SlaEngine } from '../../modules/sla/sla.engine';
import { contextOf, withApp, type CliIo } from '../context';

export function slaBackfillCommand(io: CliIo): Command {
  return new Command('sla-backfill')
    .description('start the SLA clocks of open tickets that have none (imported history), then exit')
    .action(async (_opts, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      const examined = await withApp(ctx, (app) => app.get(SlaEngine).backfill());
      io.out(`SLA clocks backfilled: ${examined} open ticket(s) examined`);
    });
}
