/**
 * Every `grc` subcommand, one file each: a new command is a file exporting `(io) => Command` and one line here.
 */
import type { Command } from 'commander';
import type { CliIo } from '../context';
import { configCommand } from './config';
import { createAdminCommand } from './create-admin';
import { importBanCommand } from './import-ban';
import { loadPackCommand } from './load-pack';
import { exportPackCommand, importPackCommand } from './pack-transfer';
import { migrateCommand } from './migrate';
import { reportingRebuildCommand } from './reporting-rebuild';
import { reportingRefreshCommand } from './reporting-refresh';
import { serveCommand } from './serve';
import { slaBackfillCommand } from './sla-backfill';
import { validatePackCommand } from './validate-pack';

export const COMMANDS: ReadonlyArray<(io: CliIo) => Command> = [
  serveCommand,
  migrateCommand,
  validatePackCommand,
  loadPackCommand,
  createAdminCommand,
  configCommand,
  slaBackfillCommand,
  reportingRebuildCommand,
  reportingRefreshCommand,
  importBanCommand,
  exportPackCommand,
  importPackCommand,
];
