/**
 * A town adopts GRC with the command line only, from an empty database: validate its pack, load it (a dry run
 * first), create the first administrator (a sign-in link: no password on the command line), serve, open the
 * link over HTTP and choose a password, register a request and see it routed to its department with its SLA
 * deadline. Then a broken pack:
 * every error listed at once with file and line, exit 1, nothing loaded.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addWorkingDays } from '@grc/domain';
import { Browserless, copyOfStarterPack, databaseUrlFor, emptyDatabase, grc, pg, ROOT, serve, STARTER, type Run } from './support';

const explain = (r: Run) => `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;

describe('grc: our own town from an empty database, with the command line only', () => {
  let db: Awaited<ReturnType<typeof emptyDatabase>>;
  let env: Record<string, string>;
  let server: Awaited<ReturnType<typeof serve>> | null = null;
  let signInToken = '';

  beforeAll(async () => {
    db = await emptyDatabase('own');
    env = {
      NODE_ENV: 'production',
      // trust authentication ignores it: here to prove `config check` never prints it
      DATABASE_URL: db.url.replace('postgres@', 'postgres:not-the-password-0451@'),
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      GRC_QUEUE_PREFIX: `grc-cli-${db.name}`,
      GRC_DATA_DIR: join(copyOfStarterPack(), '..', 'data'),
      GRC_ROOT: ROOT,
      GRC_RETENTION_EVERY_MINUTES: '0',
    };
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('--help lists the commands and starts nothing (even with an unreachable database)', async () => {
    const broken = { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', PORT: '1' };
    for (const args of [['--help'], ['serve', '--help'], ['load-pack', '--help']]) {
      const r = await grc(args, broken);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: grc/);
      expect(r.stdout + r.stderr).not.toMatch(/listening|Nest|ECONNREFUSED/);
    }
    const all = await grc(['--help'], broken);
    for (const c of ['serve', 'migrate', 'validate-pack', 'load-pack', 'create-admin', 'config']) expect(all.stdout).toContain(c);
    // the npm-run wrapper (scripts/grc.mjs) runs the same build
    const wrapped = await grc(['--version'], env, join(ROOT, 'scripts/grc.mjs'));
    expect(wrapped.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('with an invalid variable, --help still helps and config check names it: no stack trace', async () => {
    const bad = { ...env, PORT: 'eighty', GRC_TIMERS_CONCURRENCY: 'x', GRC_MAX_UPLOAD_BYTES: 'lots' };
    const help = await grc(['--help'], bad);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Environment: DATABASE_URL/);
    const check = await grc(['config', 'check'], bad);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/PORT="eighty": must be a whole number/);
    expect(check.stderr).toMatch(/GRC_MAX_UPLOAD_BYTES="lots"/);
    const migrate = await grc(['migrate'], bad);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(/^grc: invalid configuration/m);
    for (const r of [help, check, migrate]) expect(explain(r)).not.toMatch(/at .*\.js:\d+/);
  });

  it('the usual first-install mistakes are refusals that say what to do, not stack traces', async () => {
    const missing = await grc(['migrate'], { ...env, DATABASE_URL: databaseUrlFor(`${db.name}_not_created`) });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/database "grc_cli_own_\S+_not_created" does not exist: create it first.*createdb -h 127\.0\.0\.1/);
    const refused = await grc(['migrate'], { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot reach .* at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    const nowhere = await grc(['validate-pack', 'no-such-town'], env);
    expect(nowhere.stderr).toMatch(/no-such-town: no such folder \(relative to .*, where the command runs\)/);
    const notAPack = await grc(['validate-pack', '.'], env);
    expect(notAPack.stderr).toMatch(/not a town pack — none of town\.yaml/);
    // a pack another user cannot read (the Docker image runs as uid 1000): which file, and the chmod
    const privatePack = copyOfStarterPack();
    chmodSync(join(privatePack, '..'), 0o755);
    chmodSync(join(privatePack, 'sla.yaml'), 0o600);
    const nobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined; // root reads every file
    const denied = await grc(['validate-pack', privatePack], env, undefined, nobody);
    if (nobody) expect(denied.stderr).toMatch(/cannot read \S+\/sla\.yaml: permission denied — .*chmod -R a\+rX/);
    else expect(denied.code).toBe(0);
    for (const r of [missing, refused, nowhere, notAPack, ...(nobody ? [denied] : [])]) {
      expect(r.code).toBe(1);
      expect(explain(r)).not.toMatch(/at .*\.js:\d+/);
    }
  });

  it('npm run grc reads a relative folder from where it was typed, not from the repository root', async () => {
    const pack = copyOfStarterPack();
    // npm sets INIT_CWD to the directory `npm run` was typed in, then runs the script at the root
    const r = await grc(['validate-pack', 'my-town'], { ...env, INIT_CWD: join(pack, '..') }, join(ROOT, 'scripts/grc.mjs'));
    expect(r.stderr).not.toMatch(/no such folder/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^my-town: valid — Commune de Val-d'Exemple/m);
  });

  it('config check prints the effective configuration with secrets masked, and refuses an invalid value naming it', async () => {
    const ok = await grc(['config', 'check'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/DATABASE_URL=postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1/);
    expect(ok.stdout).toMatch(/GRC_QUEUE_PREFIX=grc-cli-/);
    expect(ok.stdout).not.toContain('not-the-password-0451');
    expect(ok.stderr).not.toMatch(/no GRC process reads/);
    // a misspelt variable is ignored by every process: config check says so (and still exits 0)
    const typo = await grc(['config', 'check'], { ...env, GRC_QUEU_PREFIX: 'val-d-exemple' });
    expect(typo.code).toBe(0);
    expect(typo.stderr).toMatch(/1 variable\(s\) that no GRC process reads, ignored .*\n {2}GRC_QUEU_PREFIX$/m);
    // one heading per group; the default folders as this process resolves them
    const headings = ok.stdout.split('\n').filter((l) => l.startsWith('# '));
    expect(new Set(headings).size).toBe(headings.length);
    expect(ok.stdout.split('\n')).toContainEqual(expect.stringMatching(/^GRC_WEB_DIST=\/.*\/dist\/apps\/grc-web\/browser/));
    const bad = await grc(['config', 'check'], { ...env, GRC_LOGIN_IP_FAILURES: 'many', PORT: '70000' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/PORT="70000": must be a whole number from 0 to 65535/);
    expect(bad.stderr).toMatch(/GRC_LOGIN_IP_FAILURES="many"/);
    // and every other process refuses to start on it
    const migrate = await grc(['migrate'], { ...env, GRC_SECURE_COOKIES: 'yes' });
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(/GRC_SECURE_COOKIES="yes": must be true or false/);
  });

  it('validate-pack accepts the town pack without a database', async () => {
    const r = await grc(['validate-pack', STARTER], { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /valid — Commune de Val-d'Exemple: 5 departments, 3 categories, 1 routing rule, 3 agents, 1 SLA calendar, 1 SLA policy, 1 circuit \(1 binding\)/,
    );
  });

  it('migrate, load-pack --dry-run (nothing written), load-pack (summary with calendars, policies, circuits), then refuses a second load', async () => {
    const m = await grc(['migrate'], env);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/applied \d+ migration\(s\)/);
    // framework logs stay out of the output
    expect(m.stdout + m.stderr).not.toMatch(/\[Nest\]|InstanceLoader|query:/);

    const dry = await grc(['load-pack', '--dry-run', STARTER], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run, nothing written/);
    expect(await pg(db.url, `SELECT count(*)::int n FROM departments`)).toEqual([{ n: 0 }]);

    const load = await grc(['load-pack', STARTER], env);
    expect(load).toMatchObject({ code: 0 });
    expect(load.stdout).toMatch(
      /5 departments, 3 categories, 1 routing rule, 3 agents, 1 SLA calendar, 1 SLA policy, 1 circuit \(1 binding\), 1 retention rule/,
    );
    expect(load.stdout.split('\n').filter(Boolean).length).toBeLessThanOrEqual(5);

    const again = await grc(['load-pack', STARTER], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not loaded: the database already has a town/);
    const tolerated = await grc(['load-pack', '--if-empty', STARTER], env);
    expect(tolerated.code).toBe(0);
    expect(tolerated.stderr).toMatch(/left as it is/);
  });

  it('create-admin prints a sign-in link that expires (no password anywhere); a second one with the same e-mail is refused', async () => {
    const r = await grc(['create-admin', '--email', 'DSI@Val-d-Exemple.fr', '--name', 'Service informatique'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/administrator dsi@val-d-exemple\.fr created/);
    expect(r.stdout).toMatch(/sign-in link \(works once, until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)/);
    const link = /(https?:\/\/\S+\/bienvenue#\S+)/.exec(r.stdout)?.[1];
    expect(link).toBeDefined();
    expect(r.stderr).toMatch(/PUBLIC_URL is not set/);
    signInToken = decodeURIComponent(new URL(link!).hash.slice(1));
    const [row] = await pg<{ hours: number; used_at: Date | null }>(
      db.url,
      `SELECT round(extract(epoch FROM expires_at - created_at) / 3600)::int AS hours, used_at FROM sign_in_links`,
    );
    expect(row).toEqual({ hours: 24, used_at: null });
    const again = await grc(['create-admin', '--email', 'dsi@val-d-exemple.fr'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    const [audit] = await pg<{ n: number }>(
      db.url,
      `SELECT count(*)::int n FROM audit_events WHERE action = 'agent.create' AND actor_label = 'cli'`,
    );
    expect(audit!.n).toBe(1);
  });

  it('serve; the administrator opens the link, chooses a password, registers a request: routed to voirie, due in 2 working days', async () => {
    server = await serve(env);
    const http = new Browserless(server.url);
    expect((await http.call('GET', '/api/v1/health')).body).toMatchObject({ status: 'ok', version: '0.2.0' });

    const check = await http.call('POST', '/api/v1/auth/sign-in-link/check', { token: signInToken });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ email: 'dsi@val-d-exemple.fr', displayName: 'Service informatique' });
    const weak = await http.call('POST', '/api/v1/auth/sign-in-link/redeem', { token: signInToken, newPassword: 'valdexemple' });
    expect(weak.status).toBe(400);
    expect(weak.body.errors[0].field).toBe('newPassword');
    const chosen = await http.call('POST', '/api/v1/auth/sign-in-link/redeem', {
      token: signInToken,
      newPassword: 'Ardoise-Verte-Val-2027!',
    });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toMatchObject({ email: 'dsi@val-d-exemple.fr', role: 'admin', mustChangePassword: false });
    // once only
    const replay = await http.call('POST', '/api/v1/auth/sign-in-link/redeem', {
      token: signInToken,
      newPassword: 'Ardoise-Verte-Val-2028!',
    });
    expect(replay.status).toBe(410);
    expect(replay.body.errors[0].code).toBe('sign_in_link_used');
    const login = await http.call('POST', '/api/v1/auth/login', { email: 'dsi@val-d-exemple.fr', password: 'Ardoise-Verte-Val-2027!' });
    expect(login.status).toBe(200);

    const categories = await http.call('GET', '/api/v1/categories');
    expect(categories.status).toBe(200);
    const pothole = (categories.body as Array<{ id: string; code: string }>).find((c) => c.code === 'nid-de-poule')!;
    const created = await http.call('POST', '/api/v1/tickets', {
      channel: 'phone',
      categoryId: pothole.id,
      subject: 'Nid-de-poule rue des Écoles',
      description: 'Un trou profond devant le numéro 12.',
      address: '12 rue des Écoles',
    });
    expect(created.status).toBe(201);
    const ticket = created.body as { id: string; reference: string; department: { code: string }; createdAt: string };
    expect(ticket.reference).toMatch(/^VDE-\d{4}-\d{6}$/);
    expect(ticket.department.code).toBe('voirie');

    const sla = await http.call('GET', `/api/v1/tickets/${ticket.id}/sla`);
    expect(sla.status).toBe(200);
    const first = (sla.body.clocks as Array<{ target: string; deadline: string; policyId: string }>).find(
      (c) => c.target === 'firstResponse',
    )!;
    expect(first.policyId).toBe('standard');
    // the pack's calendar: 2 working days = the end of the opening hours of the 2nd working day after the request's
    const calendar = {
      timeZone: 'Europe/Paris',
      weeklyHours: Object.fromEntries(
        ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, ['08:30-12:00', '13:30-17:00']]),
      ),
      holidays: { france: true },
    };
    expect(first.deadline).toBe(addWorkingDays(calendar, new Date(ticket.createdAt), 2).toISOString());
    expect(
      new Intl.DateTimeFormat('fr', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(new Date(first.deadline)),
    ).toBe('17:00');
  });
});

describe('grc: a broken pack', () => {
  let db: Awaited<ReturnType<typeof emptyDatabase>>;
  let env: Record<string, string>;
  let pack: string;

  beforeAll(async () => {
    db = await emptyDatabase('broken');
    env = { NODE_ENV: 'production', DATABASE_URL: db.url, GRC_ROOT: ROOT, GRC_QUEUE_PREFIX: `grc-cli-${db.name}` };
    pack = copyOfStarterPack();
    const edit = (file: string, from: string, to: string) => {
      const text = readFileSync(join(pack, file), 'utf8');
      if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
      writeFileSync(join(pack, file), text.replace(from, to));
    };
    edit('town.yaml', 'timezone: Europe/Paris', 'timezone: Europe/Val-d-Exemple');
    edit('categories.yaml', 'department: eclairage }', 'department: eclairage-public }');
    // a typo in departments.yaml does not hide the categories' unknown department until the next run
    edit('departments.yaml', 'parent: st, email: voirie@', 'parnet: st, email: voirie@');
    edit('routing.yaml', 'category: nid-de-poule', 'category: nid-de-poul');
    edit('sla.yaml', '{ amount: 10, unit: working_days }', '{ amount: 10, unit: fortnights }');
    edit('workflows/reponse-voirie.yaml', '{ role: head, department: voirie }', '{ role: head, department: voiries }');
    edit('workflows/bindings.yaml', 'workflow: reponse-voirie', 'workflow: reponse-voierie');
    // a guessable password is judged in the same run as the other files' errors, not once they are fixed
    edit('agents.yaml', 'departments: [accueil] }', 'departments: [accueil], password: azerty123456 }');
  });
  afterAll(async () => db?.drop());

  it('validate-pack lists every error at once with its file, line and path, and exits 1', async () => {
    const r = await grc(['validate-pack', pack], env);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    const has = (re: RegExp) => expect(lines.some((l) => re.test(l))).toBe(true);
    has(/^ {2}town\.yaml:5 \[timezone\]: must be an IANA time zone/);
    has(/^ {2}departments\.yaml:\d+ \[3\.parnet\]: unknown field "parnet"/);
    has(/^ {2}categories\.yaml:3 \[1\.department\]: unknown department code "eclairage-public"/);
    has(/^ {2}routing\.yaml:2 \[0\.category\]: unknown category code "nid-de-poul"/);
    has(/^ {2}sla\.yaml:\d+ \[policies\.0\.targets\.resolution\.unit\]: /);
    has(/^ {2}workflows\/reponse-voirie\.yaml:\d+ \[steps\.validation\.approvers/);
    has(/^ {2}workflows\/bindings\.yaml:2 \[0\.workflow\]: unknown circuit "reponse-voierie"/);
    has(/^ {2}agents\.yaml:6 \[2\.password\]: password refused \(password_common/);
    expect(r.stderr).toMatch(/8 error\(s\)/);
    expect(explain(r)).not.toMatch(/at .*\.js:\d+/); // a refusal, not a stack trace
  });

  it('load-pack refuses it the same way and writes nothing, not even the schema', async () => {
    const r = await grc(['load-pack', pack], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/8 error\(s\)/);
    expect(r.stderr).toMatch(/not loaded: it is invalid \(nothing was written\)/);
    expect(r.stdout).not.toMatch(/migration/);
    expect(await pg(db.url, `SELECT count(*)::int n FROM pg_tables WHERE schemaname = 'public'`)).toEqual([{ n: 0 }]);
    // on a migrated database too: nothing of the pack is written
    expect((await grc(['migrate'], env)).code).toBe(0);
    expect((await grc(['load-pack', pack], env)).code).toBe(1);
    for (const table of ['departments', 'categories', 'sla_policies', 'workflow_definitions', 'town_settings'])
      expect(await pg(db.url, `SELECT count(*)::int n FROM ${table}`)).toEqual([{ n: 0 }]);
  });
});
