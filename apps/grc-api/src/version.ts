/** The release (kept equal to package.json's "version" by test/release.spec.ts; CHANGELOG.md lists what each brought). */
export const GRC_VERSION = '0.2.0';
