import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Row-level security and indexes (issue 15's 1 M bench). Under RLS, PostgreSQL evaluates the policy
 * (`commune_id = grc_commune()`) before any condition of the query that is not LEAKPROOF, and never uses
 * such a condition as an index condition: a full-text search (`@@`), a citizen matched by e-mail
 * (`lower(email) = …`) or a duplicate found by trigrams (`%`) then scans the whole table — 3.3 s instead
 * of 12 ms for a rare word at 1 M requests, 380 ms per intake for the e-mail match at 400,000 citizens.
 *
 * LEAKPROOF says a function reveals nothing about its arguments but through its result (no error, no
 * side effect that depends on them). These ones qualify: they compare or fold text, raise nothing on valid
 * text, and the threat LEAKPROOF guards against — an untrusted user calling a chatty function in their
 * own SQL to see rows the policy hides — does not exist here: the application's role runs only the
 * application's statements; RLS is the net under a missing `WHERE`, and it keeps catching it.
 *
 * Only a superuser may mark a function LEAKPROOF. The migrations (and every `grc migrate`, since a
 * pg_dump/restore does not carry the flag of built-in functions) do it when they can, and otherwise say
 * so with the command for the database administrator (docs/install.md, "Row-level security").
 */
export const LEAKPROOF_FUNCTIONS = [
  'ts_match_vq(tsvector, tsquery)', // tickets.search_vector @@ websearch_to_tsquery(…)
  'lower(text)', // citizens: lower(email) = lower($1); names unique case-insensitively
  'textlike(text, text)', // LIKE '%…%' on trigram-indexed text
  'public.unaccent(regdictionary, text)', // inside grc_unaccent, once inlined
  'public.grc_unaccent(text)',
  'public.similarity_op(text, text)', // pg_trgm %
  'public.word_similarity_op(text, text)', // pg_trgm <%
  'public.strict_word_similarity_op(text, text)', // pg_trgm <<%
  'to_tsvector(regconfig, text)', // address_streets: to_tsvector('simple', search) @@ … (an expression index)
  'point(double precision, double precision)', // tickets: point(longitude, latitude) <@ box(…), the map's GiST index
  'on_pb(point, box)', // point <@ box
] as const;

/** The statements that mark them (what a DBA runs as a superuser when the migration role is not one). */
export const leakproofStatements = (): string[] => LEAKPROOF_FUNCTIONS.map((f) => `ALTER FUNCTION ${f} LEAKPROOF;`);

type Runner = Pick<QueryRunner, 'query'> | Pick<DataSource, 'query'>;

/**
 * Marks the functions LEAKPROOF if the connected role is a superuser; returns those still not marked
 * (empty: every indexed condition keeps its index under RLS).
 */
export async function ensureIndexableUnderRls(q: Runner): Promise<string[]> {
  const [{ superuser }]: Array<{ superuser: boolean }> = await q.query(
    `SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
  );
  if (superuser) for (const statement of leakproofStatements()) await q.query(statement);
  const rows: Array<{ fn: string; leakproof: boolean }> = await q.query(
    `SELECT f AS fn, p.proleakproof AS leakproof FROM unnest($1::text[]) AS f JOIN pg_proc p ON p.oid = f::regprocedure`,
    [LEAKPROOF_FUNCTIONS],
  );
  return rows.filter((r) => !r.leakproof).map((r) => r.fn);
}
