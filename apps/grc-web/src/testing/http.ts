import type { HttpRequest } from '@angular/common/http';
import type { HttpTestingController } from '@angular/common/http/testing';

/**
 * Answers every pending request but the ones `keep` selects: the panels a page embeds (SLA, duplicates,
 * mail tools…) get a 404, as from a server that has nothing for them, so that a spec deals only with what it tests.
 */
export function answerOthers(
  http: HttpTestingController,
  keep: (r: HttpRequest<unknown>) => boolean,
  answers: Record<string, unknown> = {},
): void {
  for (const r of http.match(() => true)) {
    if (r.cancelled || keep(r.request)) continue;
    const path = r.request.url.replace(/^\/api\/v1/, '');
    const answer = Object.entries(answers).find(([suffix]) => path.endsWith(suffix));
    if (answer) r.flush(answer[1] as object);
    else
      r.flush({ title: 'Introuvable', status: 404, detail: 'Introuvable.', code: 'not_found' }, { status: 404, statusText: 'Not Found' });
  }
}
