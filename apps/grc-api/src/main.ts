/**
 * grc-api entry point: the `grc` command line (src/cli). `node main.js --help` lists the commands:
 *   serve [--migrate] [--demo <pack>]   (default) run the role named by GRC_ROLE: api, worker or all
 *   migrate · validate-pack <folder> · load-pack <folder> [--dry-run] · create-admin --email … · config check · sla-backfill
 */
import 'reflect-metadata';
import { runCli } from './cli/cli';
import { cliState } from './cli/context';

runCli(process.argv.slice(2)).then((code) => {
  // serve keeps running (its listeners hold the event loop); every other command ends here
  if (code !== 0 || !cliState.serving) process.exit(code);
});
