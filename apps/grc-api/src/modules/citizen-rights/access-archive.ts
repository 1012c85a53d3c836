import { ZipFile } from 'yazl';
import type { Readable } from 'node:stream';
import type { AccessExport } from './access-export.service';
import { accessLetter } from './access-letter';

/** The archive's format name and version, in its data file. */
export const ACCESS_EXPORT_FORMAT = 'grc-access-export/1';

/** The machine-readable part: every registry table's rows of the person, what each table holds, the files. */
export function accessData(x: AccessExport): unknown {
  return {
    format: ACCESS_EXPORT_FORMAT,
    producedAt: x.producedAt.toISOString(),
    producedBy: x.producedBy,
    controller: x.notice.controller,
    dpo: x.notice.dpo,
    citizenId: x.citizenId,
    tables: x.tables.map(({ table, rows }) => ({
      table: table.table,
      personalColumns: table.columns.map((c) => ({ column: c.column, holds: c.holds })),
      rows,
    })),
    agents: x.agents,
    files: x.files.map((f) => ({
      attachmentId: f.attachmentId,
      ticketReference: f.ticketReference,
      filename: f.filename,
      mimeType: f.mimeType,
      size: f.size,
      sha256: f.sha256,
      path: f.source ? f.path : null,
      missing: f.source === null,
    })),
  };
}

const README = (x: AccessExport) =>
  [
    `Vos données personnelles détenues par ${x.notice.controller.name}`,
    `Produit le ${x.producedAt.toISOString()} en réponse à votre demande d'accès (article 15 du RGPD).`,
    '',
    'lettre-article-15.pdf : la lettre qui répond à votre demande, lisible par tous.',
    'donnees.json : toutes vos données, table par table (format JSON, lisible par un programme) :',
    '  citizens = votre fiche ; tickets = vos demandes ; ticket_events = leur historique et les messages ;',
    '  attachments = la liste de vos pièces jointes ; mail_outbox = les courriels envoyés ; mail_imported = les courriels reçus ;',
    '  audit_events = qui a consulté ou modifié votre dossier, et quand.',
    'pieces-jointes/ : les fichiers joints à vos demandes, par référence de demande.',
    '',
  ].join('\r\n');

/** The archive (zip): the letter, the data as JSON, the files; streamed, nothing held in memory but the JSON. */
export function accessArchive(x: AccessExport): Readable {
  const zip = new ZipFile();
  const mtime = x.producedAt;
  zip.addBuffer(Buffer.from(README(x), 'utf8'), 'LISEZ-MOI.txt', { mtime });
  zip.addBuffer(Buffer.from(JSON.stringify(accessData(x), null, 2), 'utf8'), 'donnees.json', { mtime });
  zip.addReadStream(accessLetter(x), 'lettre-article-15.pdf', { mtime });
  for (const f of x.files) if (f.source) zip.addFile(f.source, f.path, { mtime });
  zip.end();
  return zip.outputStream as Readable;
}
