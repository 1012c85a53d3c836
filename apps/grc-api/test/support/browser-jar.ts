/**
 * A browser's cookie jar and redirect handling over fetch, for flows that cross origins (the OpenID Connect
 * sign-in goes app → provider → app). Cookies are kept per host; an expired or emptied cookie is dropped.
 */
export class BrowserJar {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string, name: string, value: string | null): void {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    if (value === null) this.jar.get(host)!.delete(name);
    else this.jar.get(host)!.set(name, value);
  }

  /** One request, no redirect followed; stores the cookies it sets. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const cookies = [...(this.jar.get(new URL(url).host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = new Headers(init.headers);
    if (cookies) headers.set('cookie', cookies);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expires = attrs.map((a) => /^\s*expires=(.*)$/i.exec(a)?.[1]).find(Boolean);
      const maxAge = attrs.map((a) => /^\s*max-age=(-?\d+)/i.exec(a)?.[1]).find(Boolean);
      const gone = value === '' || (expires && new Date(expires).getTime() < Date.now()) || (maxAge !== undefined && Number(maxAge) <= 0);
      this.setCookie(url, name, gone ? null : value);
    }
    return res;
  }

  /** Follows redirects (GET) from `url` until a response that is not one, or `stop` says so; every URL visited. */
  async follow(
    url: string,
    stop: (url: string) => boolean = () => false,
    init: RequestInit = {},
  ): Promise<{ res: Response; url: string; visited: string[] }> {
    const visited = [url];
    let res = await this.fetch(url, init);
    while (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      url = new URL(res.headers.get('location')!, url).href;
      visited.push(url);
      if (stop(url)) break;
      res = await this.fetch(url);
    }
    return { res, url, visited };
  }
}
