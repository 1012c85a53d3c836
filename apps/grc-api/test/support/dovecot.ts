import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free loopback TCP port. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  dir: string;
  stop(): Promise<void>;
}

export const dovecotAvailable = (): boolean => spawnSync('sh', ['-c', 'command -v dovecot'], { stdio: 'ignore' }).status === 0;

/**
 * Debian's Dovecot on a free loopback port, configured in a temporary folder: one user (plain password
 * in a passwd-file), maildir storage, no TLS. Run as root (CI): the login process runs as nobody and
 * mail processes as nobody, which owns the mail folders. `.ci/run` installs dovecot-imapd.
 */
export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'grc-dovecot-'));
  const port = await freePort();
  const user = 'mairie@saint-aubin.test';
  const password = 'imap-secret-Pa55';
  const uid = process.getuid?.() === 0 ? 65534 : (process.getuid?.() ?? 65534);
  const gid = process.getuid?.() === 0 ? 65534 : (process.getgid?.() ?? 65534);
  chmodSync(dir, 0o755); // mail processes run as nobody and must traverse it
  for (const d of ['run', 'state', 'mail', 'home']) mkdirSync(join(dir, d));
  if (process.getuid?.() === 0) for (const d of ['mail', 'home']) chownSync(join(dir, d), uid, gid);
  writeFileSync(join(dir, 'users'), `${user}:{PLAIN}${password}\n`);
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = grc-test-${port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = root
default_internal_group = root
default_login_user = nobody
mail_location = maildir:${dir}/mail/%u
mail_uid = ${uid}
mail_gid = ${gid}
first_valid_uid = 1
mail_max_userip_connections = 100
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
service auth {
  user = root
}
service stats {
  user = root
}
`,
  );
  const child: ChildProcess = spawn('dovecot', ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dovecot exited: ${output}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('* OK'));
      });
      s.once('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      let log = '';
      try {
        log = readFileSync(join(dir, 'dovecot.log'), 'utf8');
      } catch {
        /* none */
      }
      throw new Error(`dovecot did not start: ${output}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
