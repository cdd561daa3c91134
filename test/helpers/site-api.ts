/**
 * JSON calls to a running site, for tests: `api` (GET, or `init`; a non-2xx answer throws with its
 * body), `json` (a POST of a JSON body) and `account` (makes an account and returns an API token).
 */

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by each test's assertions
export type Json = any;

export function siteApi(base: string) {
  const api = async (path: string, init: RequestInit = {}): Promise<Json> => {
    const res = await fetch(`${base}${path}`, init);
    const body = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const json = (body: unknown): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  /** Registers `username` and returns a new API token of theirs. */
  const account = async (username: string, password: string): Promise<string> => {
    await api('/api/v1/users', json({ username, password }));
    const { token } = await api('/api/v1/tokens', json({ username, password }));
    return token as string;
  };
  return { api, json, account };
}
