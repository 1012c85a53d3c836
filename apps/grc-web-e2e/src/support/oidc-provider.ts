import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The API tests' loopback OpenID provider (oidc-provider), shared script; its settings are described there. */
const SCRIPT = join(resolve(__dirname, '../../../..'), 'apps/grc-api/test/support/oidc-provider.mjs');

export interface LoopbackProvider {
  issuer: string;
  stop(): Promise<void>;
}

/** Starts the provider in its own process (the package ships ES modules only); resolves with its issuer once it listens. */
export function startLoopbackProvider(config: {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  accounts: Record<string, Record<string, unknown>>;
}): Promise<LoopbackProvider> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [SCRIPT], {
      env: { ...process.env, NODE_ENV: 'development', OIDC_TEST_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`the loopback OpenID provider did not start:\n${out}\n${err}`)), 20_000);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the loopback OpenID provider exited (${code}):\n${out}\n${err}`));
    });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /issuer=(\S+)/.exec(out);
      if (!m?.[1]) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      done({
        issuer: m[1],
        stop: () =>
          new Promise<void>((stopped) => {
            if (child.exitCode !== null) return stopped();
            child.once('exit', () => stopped());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
