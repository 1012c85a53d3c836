import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { DataSource } from 'typeorm';
import { BAN_REQUIRED_COLUMNS, normaliseAddressText, readBanLine, type BanAddress, type BanImportReport } from '@grc/domain';
import { ProblemException } from '../../common/problem';
import { AuditRepository } from '../audit/audit.repository';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { PlacesRepository } from './places.repository';

const BATCH = 2000;
const MAX_REJECTIONS_LISTED = 20;
/** Stop reading a file that is mostly not BAN lines. */
const MAX_REJECTED = 10_000;

export const BAN_CLI_ACTOR: AuditActor = { actorId: null, actorLabel: 'system:import-ban', ip: null };

/** The street an address belongs to: its commune and its normalised name. */
export const streetKey = (a: Pick<BanAddress, 'insee' | 'street'>): string => `${a.insee}|${normaliseAddressText(a.street)}`.slice(0, 260);

const badFile = (code: string, message: string, params?: Record<string, string | number>): ProblemException =>
  new ProblemException(422, 'Fichier BAN invalide', message, [{ field: 'file', message, code, ...(params ? { params } : {}) }]);

/**
 * The BAN's files are UTF-8: bytes that are not (a file re-saved in Latin-1 / Windows-1252 by a spreadsheet) stop
 * the import rather than store "Rue de l'�glise" for every accented street. WHATWG's fatal decoder, fed chunk by
 * chunk (`stream: true` keeps a character cut between two chunks), checks the bytes on their way to csv-parse and
 * reports the line of the first bad one (422 `ban.encoding`, nothing imported).
 */
function strictUtf8(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let line = 1;
  const decode = (chunk?: Buffer): void => {
    try {
      const text = chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) line++;
    } catch {
      // the line of the first bad byte: this chunk read leniently up to its first replacement character
      const lenient = chunk ? new TextDecoder('utf-8').decode(chunk) : '';
      const before = lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')));
      const at = line + before.split('\n').length - 1;
      throw badFile('ban.encoding', `Le fichier n’est pas en UTF-8 (ligne ${at}) : enregistrez-le en UTF-8.`, { line: at });
    }
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        decode(chunk);
        done(null, chunk); // checked, passed on as is (csv-parse decodes it)
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done) {
      try {
        decode();
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
}

/**
 * Imports a file of the Base Adresse Nationale's CSV format (`adresses-<dep>.csv`, `;`-separated, UTF-8, a header
 * line) in ONE transaction: streamed through csv-parse, checked line by line (libs/domain `readBanLine`), upserted by
 * BAN id in batches (idempotent: the same file twice changes nothing the second time), then the addresses of the
 * file's communes that the file no longer has are removed and those communes' streets rebuilt. Audited
 * `places.import`. A file without the BAN's columns changes nothing (422, field `file`).
 */
export async function importBan(ds: DataSource, input: Readable, opts: { source: string; actor: AuditActor }): Promise<BanImportReport> {
  const repo = new PlacesRepository(ds);
  const audit = new AuditService(new AuditRepository(ds));

  return ds.transaction(async (m) => {
    // one import at a time (two admins, or the CLI and the screen): the second waits
    await repo.lockImports(m);
    const importId = await repo.startImport(m, opts.source, opts.actor.actorId);
    const report: BanImportReport = {
      lines: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      removed: 0,
      rejected: 0,
      rejections: [],
      communes: [],
    };
    const communes = new Set<string>();
    // piped only now: csv-parse reports a bad header as an error of the stream, which the loop below must be there to catch
    const utf8 = strictUtf8();
    const parser = input.pipe(utf8).pipe(
      parse({
        delimiter: ';',
        bom: true,
        columns: (header: string[]) => {
          const names = header.map((h) => h.trim().toLowerCase());
          const missing = BAN_REQUIRED_COLUMNS.filter((c) => !names.includes(c));
          if (missing.length) throw badFile('ban.columns', `Colonnes BAN manquantes : ${missing.join(', ')}.`);
          return names;
        },
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
        max_record_size: 64 * 1024,
      }),
    );
    input.on('error', (e) => parser.destroy(e));
    utf8.on('error', (e) => parser.destroy(e));
    let batch = new Map<string, BanAddress & { streetKey: string }>();
    const flush = async () => {
      if (!batch.size) return;
      const counts = await repo.upsertBatch(m, importId, [...batch.values()]);
      report.inserted += counts.inserted;
      report.updated += counts.updated;
      report.unchanged += counts.unchanged;
      batch = new Map();
    };
    try {
      for await (const record of parser as AsyncIterable<Record<string, string>>) {
        report.lines++;
        const line = readBanLine(record);
        if (!line.ok) {
          report.rejected++;
          if (report.rejections.length < MAX_REJECTIONS_LISTED)
            report.rejections.push({ line: report.lines + 1, field: line.field, code: line.code });
          if (report.rejected > MAX_REJECTED && report.rejected > report.lines / 2)
            throw badFile('ban.lines', 'La plupart des lignes ne sont pas des adresses BAN.');
          continue;
        }
        communes.add(line.address.insee);
        // the same id twice in a file: the last line wins (one upsert may not touch a row twice)
        batch.set(line.address.id, { ...line.address, streetKey: streetKey(line.address) });
        if (batch.size >= BATCH) await flush();
      }
    } catch (e) {
      if (e instanceof ProblemException) throw e;
      const err = e as { code?: string; message?: string; cause?: unknown };
      if (err.cause instanceof ProblemException) throw err.cause;
      if (typeof err.code === 'string' && err.code.startsWith('CSV_'))
        throw badFile('ban.csv', `Fichier CSV illisible (ligne ${report.lines + 2}) : ${err.code}.`);
      throw e;
    }
    await flush();
    if (report.lines === 0) throw badFile('ban.empty', 'Le fichier ne contient aucune adresse.');
    report.communes = [...communes].sort();
    if (report.communes.length) {
      report.removed = await repo.removeStale(m, importId, report.communes);
      await repo.rebuildStreets(m, report.communes);
    }
    await repo.finishImport(m, importId, report);
    await audit.record(m, opts.actor, 'places.import', 'places', importId, {
      source: { before: null, after: opts.source.slice(0, 300) },
      inserted: { before: null, after: report.inserted },
      updated: { before: null, after: report.updated },
      removed: { before: null, after: report.removed },
      rejected: { before: null, after: report.rejected },
      communes: { before: null, after: report.communes.length },
    });
    return report;
  });
}

/** The CLI's `import-ban <file>` (main.ts; the `grc` CLI can wire the same function): a file of the BAN format. */
export function importBanFile(ds: DataSource, file: string, actor: AuditActor = BAN_CLI_ACTOR): Promise<BanImportReport> {
  return importBan(ds, createReadStream(file), { source: basename(file), actor });
}
