import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PERSONAL_DATA, type PersonalTable, type PrivacyNotice } from '@grc/domain';
import { notFound } from '../../common/problem';
import { GRC_CONFIG, type GrcConfig } from '../../config/config';
import { AuditService, auditActor } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { CitizenRightsRepository, type Row, type TicketBrief } from './citizen-rights.repository';
import { PrivacyNoticeService } from './privacy-notice.service';

export type ExportFormat = 'zip' | 'pdf';

export interface ExportedFile {
  attachmentId: string;
  ticketReference: string;
  filename: string;
  mimeType: string;
  size: number;
  sha256: string;
  /** its path inside the archive */
  path: string;
  /** where it is stored; null when the file is missing on the server (said in the archive) */
  source: string | null;
}

/** Everything the town holds about one person, read in one snapshot: what the archive and the letter are made of. */
export interface AccessExport {
  producedAt: Date;
  producedBy: string;
  citizenId: string;
  town: { name: string; timezone: string };
  notice: PrivacyNotice;
  /** the registry's exported tables, in its order: the person's rows of each */
  tables: Array<{ table: PersonalTable; rows: Row[] }>;
  tickets: TicketBrief[];
  agents: Array<{ id: string; displayName: string }>;
  files: ExportedFile[];
}

/** Columns that hold an agent's id: the archive names those agents. */
const AGENT_COLUMNS = ['actor_id', 'assignee_id', 'created_by', 'uploaded_by', 'updated_by'];

/** A file name safe in any archive tool: no folder, no control or reserved character, 120 characters at most. */
export const safeName = (name: string): string =>
  [...name]
    .map((c) => (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 || '/\\:*?"<>|'.includes(c) ? '_' : c))
    .join('')
    .replace(/^\.+/, '_')
    .slice(-120) || 'fichier';

/**
 * The right of access (RGPD art. 15): one citizen's data as the personal data registry lists it (a table
 * marked `exported` there appears here without a line of this file changing), read in one
 * REPEATABLE READ snapshot, the production audited `citizen.access_export` in the same transaction.
 * For holders of `rgpd` (DPO, admins): the whole town, no need-to-know filter.
 */
@Injectable()
export class AccessExportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    private readonly rights: CitizenRightsRepository,
    private readonly notices: PrivacyNoticeService,
    private readonly audit: AuditService,
  ) {}

  produce(actor: Actor, citizenId: string, format: ExportFormat): Promise<AccessExport> {
    return this.db.transaction('REPEATABLE READ', async (m) => {
      if (!(await this.rights.citizenExists(citizenId, m))) throw notFound('Citoyen');
      const ticketIds = await this.rights.ticketIds(citizenId, m);
      const exported = PERSONAL_DATA.filter((t) => t.exported);
      const columns = await this.rights.columns(
        exported.map((t) => t.table),
        m,
      );
      const tables: AccessExport['tables'] = [];
      for (const t of exported) {
        const cols = columns.get(t.table);
        if (!cols) throw new Error(`personal data registry: table ${t.table} is not in the schema`);
        tables.push({ table: t, rows: await this.rights.rowsOf(t, cols, citizenId, ticketIds, m) });
      }
      const agentIds = new Set<string>();
      for (const { rows } of tables)
        for (const r of rows) for (const c of AGENT_COLUMNS) if (typeof r[c] === 'string') agentIds.add(r[c] as string);
      const agents = (await this.rights.agentNames([...agentIds], m)).map((a) => ({ id: a.id, displayName: a.display_name }));
      const files = await Promise.all(
        (await this.rights.attachments(ticketIds, m)).map(async (a): Promise<ExportedFile> => {
          const source = join(this.config.dataDir, a.storage_key);
          const present = await stat(source).then(
            (s) => s.isFile(),
            () => false,
          );
          return {
            attachmentId: a.id,
            ticketReference: a.reference,
            filename: a.filename,
            mimeType: a.mime_type,
            size: Number(a.size),
            sha256: a.sha256,
            path: `pieces-jointes/${safeName(a.reference)}/${a.id.slice(0, 8)}-${safeName(a.filename)}`,
            source: present ? source : null,
          };
        }),
      );
      const tickets = await this.rights.ticketBriefs(citizenId, m);
      const town = await this.rights.town(m);
      const notice = await this.notices.notice(m);
      await this.audit.record(m, auditActor(actor), 'citizen.access_export', 'citizen', citizenId, {
        format: { before: null, after: format },
        requests: { before: null, after: tickets.length },
        files: { before: null, after: files.length },
      });
      return { producedAt: new Date(), producedBy: actor.agent.displayName, citizenId, town, notice, tables, tickets, agents, files };
    });
  }
}
