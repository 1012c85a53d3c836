#!/usr/bin/env bash
# Builds the upgrade test's starting point (apps/grc-api/test/upgrade.spec.ts): a database created by a
# PREVIOUS release's migrations and demo pack, dumped to apps/grc-api/test/fixtures/grc-<version>.sql.gz.
# The dump is checked in, so the test runs on a fresh clone without tags or the old code.
#
#   scripts/upgrade-fixture.sh [tag]        # default v0.1.0; needs git, psql/pg_dump, the repo's node_modules
#
# Run it once per release (then point upgrade.spec.ts at the new file). The demo is generated back from a
# fixed date (FIXTURE_NOW, default 2026-12-01T12:00:00Z) with the release's own code.
set -euo pipefail
TAG="${1:-v0.1.0}"
ROOT="$(git rev-parse --show-toplevel)"
OUT="$ROOT/apps/grc-api/test/fixtures/grc-${TAG#v}.sql.gz"
PG="${TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB="grc_fixture_$$"
DB_URL="${PG%/*}/$DB"
SRC="$(mktemp -d)/grc-$TAG"

cleanup() {
  psql "$PG" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  git -C "$ROOT" worktree remove --force "$SRC" >/dev/null 2>&1 || true
}
trap cleanup EXIT

git -C "$ROOT" worktree add -q --detach "$SRC" "$TAG" >/dev/null
ln -s "$ROOT/node_modules" "$SRC/node_modules"
psql "$PG" -qc "CREATE DATABASE $DB" >/dev/null

# the release's own migrations and pack loader, as its test setup ran them
(cd "$SRC" && DB_URL="$DB_URL" FIXTURE_NOW="${FIXTURE_NOW:-2026-12-01T12:00:00Z}" TS_NODE_TRANSPILE_ONLY=1 TS_NODE_PROJECT=apps/grc-api/tsconfig.spec.json \
  npx ts-node -P apps/grc-api/tsconfig.spec.json -O '{"module":"commonjs"}' -e "
    require('tsconfig-paths').register({ baseUrl: process.cwd(), paths: JSON.parse(require('fs').readFileSync('tsconfig.base.json', 'utf8')).compilerOptions.paths });
    require('reflect-metadata');
    const { createDataSource } = require('./apps/grc-api/src/database/data-source');
    const { loadTownPackFromFolder } = require('./apps/grc-api/src/modules/packs/pack-loader');
    (async () => {
      const ds = await createDataSource(process.env.DB_URL).initialize();
      await ds.runMigrations({ transaction: 'each' });
      const r = await loadTownPackFromFolder(ds, 'packs/demo-town', { onlyIfEmpty: true, now: new Date(process.env.FIXTURE_NOW) });
      console.log(r.summary);
      await ds.destroy();
    })().catch((e) => { console.error(e); process.exit(1); });
  ")

mkdir -p "$(dirname "$OUT")"
pg_dump --no-owner --no-comments "$DB_URL" | gzip -9n > "$OUT"
echo "wrote $OUT ($(du -h "$OUT" | cut -f1))"
