import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRC_VERSION } from './version';

const ROOT = join(__dirname, '../../..');

describe('the release', () => {
  it('is the same in package.json, the API (health, grc --version) and the changelog', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version).toBe(GRC_VERSION);
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    const [major, minor] = GRC_VERSION.split('.').map(Number);
    // the version is released (its own section) or being prepared (Unreleased names it)
    expect(changelog.includes(`## [${GRC_VERSION}]`) || changelog.includes(`## [Unreleased] — to be ${GRC_VERSION}`)).toBe(true);
    // and the previous one has its section
    expect(changelog).toContain(`## [${major}.${minor! - 1}.0]`);
    // every section of a release carries its upgrade notes when it changed a behaviour
    expect(changelog).toMatch(/### Upgrade notes/);
  });
});
