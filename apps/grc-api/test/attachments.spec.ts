import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TicketDetail } from '@grc/domain';
import { MailIntakeService, type MailboxRow } from '../src/modules/mail/intake.service';
import { ADMIN, ids, VOIRIE_AGENT } from './support/demo';
import { DOCX, PDF, PLAIN_ZIP, PNG } from './support/files';
import { startTestApp, type TestContext } from './support/test-app';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * Every channel's attachments download byte for byte, from a data folder inside a dot-folder — the quick
 * start's `.data` (Express's `send` refused every such path: each download was a 500).
 */
describe('attachments: upload through every channel, download from a dot-folder', () => {
  let ctx: TestContext;
  let agent: Awaited<ReturnType<TestContext['loginAs']>>;
  const dataDir = join(mkdtempSync(join(tmpdir(), 'grc-att-')), '.data');

  beforeAll(async () => {
    mkdirSync(dataDir);
    ctx = await startTestApp({ GRC_DATA_DIR: dataDir, GRC_PUBLIC_RATE_LIMIT: '1000', MAIL_INTAKE_TICK_MS: '0' });
    agent = await ctx.loginAs(VOIRIE_AGENT);
  });
  afterAll(() => ctx.close());

  const download = (ticketId: string, attachmentId: string) =>
    agent
      .get(`/api/v1/tickets/${ticketId}/attachments/${attachmentId}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
  const expectDownload = async (ticketId: string, attachmentId: string, content: Buffer, type: string, filename: string) => {
    const res = await download(ticketId, attachmentId);
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, content)).toBe(0);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['content-disposition']).toBe(`attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  };
  const attachmentsOf = (ticketId: string) =>
    ctx.db.query(`SELECT id, filename, mime_type, storage_key FROM attachments WHERE ticket_id = $1 ORDER BY filename`, [ticketId]);

  it('an agent uploads a Word document and downloads it unchanged', async () => {
    const d = await ids(ctx.db);
    let t: TicketDetail = (
      await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await d.category('nid-de-poule'),
          subject: 'Courrier joint',
          description: 'Le courrier du riverain est joint.',
        })
        .expect(201)
    ).body;
    t = (
      await agent
        .post(`/api/v1/tickets/${t.id}/attachments`)
        .field('version', String(t.version))
        .attach('file', DOCX, { filename: 'courrier riverain é.docx', contentType: DOCX_TYPE })
        .expect(201)
    ).body;
    expect(t.attachments).toHaveLength(1);
    await expectDownload(t.id, t.attachments[0]!.id, DOCX, DOCX_TYPE, 'courrier riverain é.docx');

    // a zip renamed .docx is not a Word document
    const fake = await agent
      .post(`/api/v1/tickets/${t.id}/attachments`)
      .field('version', String(t.version))
      .attach('file', PLAIN_ZIP, { filename: 'courrier.docx', contentType: DOCX_TYPE });
    expect(fake.status).toBe(415);
    expect(fake.body.errors).toEqual([
      {
        field: 'file',
        message: 'Le contenu du fichier ne correspond pas à son type déclaré.',
        code: 'file.type',
        params: { type: DOCX_TYPE },
      },
    ]);
    expect(await attachmentsOf(t.id)).toHaveLength(1);
  });

  it('a citizen sends photos with the public form; the agent downloads them unchanged', async () => {
    const d = await ids(ctx.db);
    const res = await ctx.http
      .post('/api/v1/public/requests')
      .set('X-Requested-With', 'grc')
      .field('categoryId', await d.category('trottoir-degrade'))
      .field('description', 'Dalle cassée devant la poste, risque de chute')
      .field('address', '1 place de la Poste')
      .field('firstName', 'Camille')
      .field('lastName', 'Martin')
      .field('email', `att-${Date.now()}@example.org`)
      .attach('files', PNG, { filename: 'dalle.png', contentType: 'image/png' })
      .attach('files', PDF, { filename: 'plan.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(201);
    const [t] = await ctx.db.query(`SELECT id FROM tickets WHERE reference = $1`, [res.body.reference]);
    const files = await attachmentsOf(t.id);
    expect(files.map((f: { filename: string }) => f.filename)).toEqual(['dalle.png', 'plan.pdf']);
    // the citizen's ticket belongs to voirie's direction; an admin sees it whatever the routing
    agent = await ctx.loginAs(ADMIN);
    await expectDownload(t.id, files[0].id, PNG, 'image/png', 'dalle.png');
    await expectDownload(t.id, files[1].id, PDF, 'application/pdf', 'plan.pdf');
  });

  it('an e-mail with a PDF becomes a ticket whose attachment downloads unchanged', async () => {
    const admin = await ctx.loginAs(ADMIN);
    const d = await ids(ctx.db);
    const box = await admin
      .post('/api/v1/mail/mailboxes')
      .send({
        name: 'Pièces jointes',
        host: '127.0.0.1',
        port: 1,
        secure: false,
        username: 'box@saint-aubin.test',
        password: 'x',
        folder: 'INBOX',
        categoryId: await d.category('nid-de-poule'),
        pollIntervalSeconds: 60,
        active: false,
      })
      .expect(201);
    const [mailbox] = (await ctx.db.query(`SELECT * FROM mail_mailboxes WHERE id = $1`, [box.body.id])) as MailboxRow[];
    const boundary = 'grc-att-boundary';
    const raw = Buffer.from(
      [
        'From: Marie Dupont <marie.att@citoyens.example>',
        'To: mairie@saint-aubin.test',
        'Subject: Trou rue des Lilas',
        `Message-ID: <att-${Date.now()}@citoyens.example>`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Bonjour, voici la photo du trou.',
        `--${boundary}`,
        'Content-Type: application/pdf; name="trou.pdf"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="trou.pdf"',
        '',
        PDF.toString('base64'),
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    );
    const outcome = await ctx.app.get(MailIntakeService).importMessage(mailbox, null, raw);
    expect(outcome.outcome).toBe('ticket');
    const ticketId = (outcome as { ticketId: string }).ticketId;
    const files = await attachmentsOf(ticketId);
    expect(files).toEqual([expect.objectContaining({ filename: 'trou.pdf', mime_type: 'application/pdf' })]);
    agent = admin;
    await expectDownload(ticketId, files[0].id, PDF, 'application/pdf', 'trou.pdf');
  });

  it('answers 404 with a problem when the stored file is missing, and never a 500', async () => {
    const [a] = await ctx.db.query(`SELECT id, ticket_id FROM attachments WHERE filename = 'trou.pdf' ORDER BY created_at DESC LIMIT 1`);
    await ctx.db.query(`UPDATE attachments SET storage_key = 'attachments/00/missing' WHERE id = $1`, [a.id]);
    const res = await download(a.ticket_id, a.id);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
