import { Injectable } from '@angular/core';
import { DefaultTranspiler, type TranspileParams } from '@jsverse/transloco';
import { IntlMessageFormat } from 'intl-messageformat';

/**
 * ICU messages with FormatJS's intl-messageformat, which interprets the parsed message (no `new Function`:
 * the console's CSP forbids eval, which rules out @messageformat/core's compiler). Compiled messages are
 * cached per locale and text. A message without `{` is returned as is; one that cannot be formatted (a
 * missing parameter) falls back to plain `{name}` replacement, so a page never breaks on a message.
 */
@Injectable({ providedIn: 'root' })
export class IcuTranspiler extends DefaultTranspiler {
  locale = 'fr-FR';
  private readonly cache = new Map<string, IntlMessageFormat>();

  override transpile({ value, params = {} }: TranspileParams): unknown {
    if (typeof value !== 'string' || !value.includes('{')) return value;
    const id = `${this.locale}\u0000${value}`;
    try {
      let message = this.cache.get(id);
      if (!message) {
        message = new IntlMessageFormat(value, this.locale, undefined, { ignoreTag: true });
        this.cache.set(id, message);
      }
      return String(message.format(params as Record<string, string | number>));
    } catch {
      let text = value;
      for (const [k, v] of Object.entries(params)) text = text.split(`{${k}}`).join(String(v));
      return text;
    }
  }
}
