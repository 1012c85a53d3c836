// Preloaded by bench/intake.mjs --count-queries (node -r): counts the statements this process sends to
// PostgreSQL, by their first words, and writes them to $GRC_BENCH_QUERY_COUNTS when the process ends.
const { writeFileSync } = require('node:fs');
const pg = require('pg');
const counts = new Map();
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : (config && config.text) || '';
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 90);
  counts.set(key, (counts.get(key) || 0) + 1);
  return original.call(this, config, ...rest);
};
const dump = () => {
  try {
    writeFileSync(process.env.GRC_BENCH_QUERY_COUNTS, JSON.stringify(Object.fromEntries(counts)));
  } catch {
    /* nothing to report */
  }
};
process.on('exit', dump);
process.on('SIGWINCH', dump);
