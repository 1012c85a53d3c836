import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface TestProviderAccount {
  sub?: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  usual_name?: string;
  groups?: string[];
  siret?: string;
}

export interface TestProviderConfig {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** by login (what the provider's form takes) */
  accounts: Record<string, TestProviderAccount>;
}

export interface TestProvider {
  issuer: string;
  stop(): Promise<void>;
}

/** Starts the loopback OpenID provider (support/oidc-provider.mjs) in its own process; resolves once it listens. */
export function startTestProvider(config: TestProviderConfig, script = join(__dirname, 'oidc-provider.mjs')): Promise<TestProvider> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [script], {
      env: { ...process.env, NODE_ENV: 'development', OIDC_TEST_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the test OpenID provider did not start:\n${out}\n${err}`)), 20_000);
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the test OpenID provider exited (${code}):\n${out}\n${err}`));
    });
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /issuer=(\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        issuer: m[1]!,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
