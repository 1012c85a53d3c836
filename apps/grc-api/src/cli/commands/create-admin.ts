import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { AgentsRepository } from '../../modules/agents/agents.repository';
import { passwordVerdict } from '../../modules/accounts/password-strength';
import { AuditRepository } from '../../modules/audit/audit.repository';
import { AuditService } from '../../modules/audit/audit.service';
import { hashPassword } from '../../modules/auth/auth.service';
import { CliError, contextOf, withOwnerDataSource, type CliIo } from '../context';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A random one-time password the password rule accepts (about 120 bits). */
function oneTimePassword(owner: { email: string; displayName: string }): string {
  for (;;) {
    const p = randomBytes(15).toString('base64url');
    if (passwordVerdict(p, owner).ok) return p;
  }
}

export function createAdminCommand(io: CliIo): Command {
  return new Command('create-admin')
    .description('create an administrator with a one-time password, to be changed at the first login (no password ever goes into a pack)')
    .requiredOption('--email <address>', "the administrator's e-mail (their login)")
    .option('--name <display name>', 'the name shown in the console (default: the e-mail)')
    .option('--locale <fr|en>', 'console language', 'fr')
    .option('--json', 'print { email, password } as JSON (for a script)')
    .action(async (opts: { email: string; name?: string; locale: string; json?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      const email = opts.email.trim().toLowerCase();
      if (!EMAIL.test(email) || email.length > 254) throw new CliError(`--email: "${opts.email}" is not an e-mail address`);
      if (!['fr', 'en'].includes(opts.locale)) throw new CliError(`--locale: must be fr or en (got "${opts.locale}")`);
      const displayName = (opts.name ?? email).trim().slice(0, 200) || email;
      const password = oneTimePassword({ email, displayName });
      const hash = await hashPassword(password);
      await withOwnerDataSource(ctx, (ds) =>
        ds.transaction(async (m) => {
          const agents = new AgentsRepository(ds);
          if (await agents.isEmailTaken(email, null, m))
            throw new CliError(
              `an agent with the e-mail ${email} already exists: an administrator resets its password in Administration › Agents`,
            );
          const id = await agents.insert({ email, displayName, role: 'admin', locale: opts.locale as 'fr' | 'en', active: true }, hash, m);
          await agents.setPassword(id, hash, true, m);
          await new AuditService(new AuditRepository(ds)).record(
            m,
            { actorId: null, actorLabel: 'cli', ip: null },
            'agent.create',
            'agent',
            id,
            {
              email: { before: null, after: email },
              displayName: { before: null, after: displayName },
              role: { before: null, after: 'admin' },
              password: { before: null, after: '***' },
              mustChangePassword: { before: null, after: true },
            },
          );
        }),
      );
      if (opts.json) return io.out(JSON.stringify({ email, password, mustChangePassword: true }));
      io.out(`administrator ${email} created`);
      io.out(`one-time password: ${password}`);
      io.out('it works once: the first login must choose a new password before anything else. Give it over a channel other than e-mail.');
    });
}
