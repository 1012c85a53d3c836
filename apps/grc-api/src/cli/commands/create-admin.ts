import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { SIGN_IN_LINK_MAX_HOURS, signInLinkExpiry, signInLinkUrl } from '@grc/domain';
import { AgentsRepository } from '../../modules/agents/agents.repository';
import { passwordVerdict } from '../../modules/accounts/password-strength';
import { SignInLinksRepository } from '../../modules/accounts/sign-in-links.repository';
import { AuditRepository } from '../../modules/audit/audit.repository';
import { AuditService } from '../../modules/audit/audit.service';
import { hashPassword } from '../../modules/auth/auth.service';
import { hashToken } from '../../modules/auth/session.service';
import { CliError, contextOf, withOwnerDataSource, type CliIo } from '../context';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A random one-time password the password rule accepts (about 120 bits). */
function oneTimePassword(owner: { email: string; displayName: string }): string {
  for (;;) {
    const p = randomBytes(15).toString('base64url');
    if (passwordVerdict(p, owner).ok) return p;
  }
}

const hours = (v: string): number => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > SIGN_IN_LINK_MAX_HOURS)
    throw new InvalidArgumentError(`whole hours from 1 to ${SIGN_IN_LINK_MAX_HOURS}`);
  return n;
};

export function createAdminCommand(io: CliIo): Command {
  return new Command('create-admin')
    .description(
      'create an administrator and print a sign-in link that works once and expires: it opens the console’s "choose your password" page (no password on the command line, none in a pack). ' +
        'The link starts with PUBLIC_URL (unset: http://localhost:<PORT>); a script redeems it with POST /api/v1/auth/sign-in-link/redeem { token, newPassword } (docs/api.md)',
    )
    .requiredOption('--email <address>', "the administrator's e-mail (their login)")
    .option('--name <display name>', 'the name shown in the console (default: the e-mail)')
    .option('--locale <fr|en>', 'console language', 'fr')
    .option('--expires-in <hours>', 'hours the link works (default: GRC_SIGN_IN_LINK_HOURS, 24)', hours)
    .option('--one-time-password', 'print a one-time password instead of a link (to be changed at the first login)')
    .option('--json', 'print { email, signInLink, expiresAt } (or { email, password }) as JSON, for a script')
    .action(
      async (
        opts: { email: string; name?: string; locale: string; expiresIn?: number; oneTimePassword?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd, io);
        const email = opts.email.trim().toLowerCase();
        if (!EMAIL.test(email) || email.length > 254) throw new CliError(`--email: "${opts.email}" is not an e-mail address`);
        if (!['fr', 'en'].includes(opts.locale)) throw new CliError(`--locale: must be fr or en (got "${opts.locale}")`);
        const displayName = (opts.name ?? email).trim().slice(0, 200) || email;
        const config = ctx.config();
        const withLink = !opts.oneTimePassword;
        // with a link, the account's password is a random one nobody knows until the link sets one
        const password = withLink ? randomBytes(32).toString('base64url') : oneTimePassword({ email, displayName });
        const hash = await hashPassword(password);
        const token = randomBytes(32).toString('base64url');
        const expiresAt = signInLinkExpiry(new Date(), opts.expiresIn ?? config.signInLinkHours);
        await withOwnerDataSource(ctx, (ds) =>
          ds.transaction(async (m) => {
            const agents = new AgentsRepository(ds);
            if (await agents.isEmailTaken(email, null, m))
              throw new CliError(
                `an agent with the e-mail ${email} already exists: an administrator resets its password in Administration › Agents`,
              );
            const id = await agents.insert(
              { email, displayName, role: 'admin', locale: opts.locale as 'fr' | 'en', active: true },
              hash,
              m,
            );
            await agents.setPassword(id, hash, !withLink, m);
            if (withLink) await new SignInLinksRepository(ds).insert(hashToken(token), id, expiresAt, 'cli', m);
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
                ...(withLink
                  ? { signInLink: { before: null, after: expiresAt.toISOString() } }
                  : { password: { before: null, after: '***' }, mustChangePassword: { before: null, after: true } }),
              },
            );
          }),
        );
        if (!withLink) {
          if (opts.json) return io.out(JSON.stringify({ email, password, mustChangePassword: true }));
          io.out(`administrator ${email} created`);
          io.out(`one-time password: ${password}`);
          io.out(
            'it works once: the first login must choose a new password before anything else. Give it over a channel other than e-mail.',
          );
          return;
        }
        const base = config.publicUrl ?? `http://localhost:${config.port}`;
        const link = signInLinkUrl(base, token);
        if (opts.json) return io.out(JSON.stringify({ email, signInLink: link, expiresAt: expiresAt.toISOString() }));
        io.out(`administrator ${email} created`);
        io.out(`sign-in link (works once, until ${expiresAt.toISOString().replace('T', ' ').slice(0, 16)} UTC):`);
        io.out(`  ${link}`);
        io.out('it opens the console’s page where the administrator chooses their password. Give it over a channel other than e-mail.');
        if (!config.publicUrl)
          io.err(
            'grc: PUBLIC_URL is not set: the link points to this machine (http://localhost); set PUBLIC_URL for a link that works elsewhere',
          );
      },
    );
}
