/** The two formats of GeoReport v2; XML is the standard's required one, so it is the fallback. */
export type Open311Format = 'json' | 'xml';

/** The status codes the standard uses (400 bad parameters, 403 api_key, 404 not found), 429 (rate limit) and ours for real failures. */
export type Open311Status = 400 | 403 | 404 | 413 | 429 | 500;

/** An error answered in the standard's format: `[{"code": 400, "description": "…"}]` or `<errors><error>…`. */
export class Open311Error extends Error {
  constructor(
    readonly status: Open311Status,
    readonly description: string,
  ) {
    super(description);
    this.name = 'Open311Error';
  }
}

export const badParam = (description: string) => new Open311Error(400, description);
export const notFound311 = (description: string) => new Open311Error(404, description);
export const badApiKey = () =>
  new Open311Error(403, 'api_key absente ou invalide : impossible de créer la demande (demandez une clé à la mairie).');

/** `services.json` → ['services', 'json']; null when the extension is not one of the two formats. */
export function splitFormat(file: string): { name: string; format: Open311Format } | null {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  return m ? { name: m[1]!, format: m[2] as Open311Format } : null;
}

/** The format an error should use, read from the URL (`…/requests.json?x` → json), XML otherwise. */
export const formatOfUrl = (url: string): Open311Format => (/\.json(?:$|\?)/.test(url) ? 'json' : 'xml');
