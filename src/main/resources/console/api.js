// The gateway's HTTP API. The access token lives only in this module's variable: never in storage, cookies or URLs.
let token = null;
let claims = null;

export function signIn(accessToken) {
  token = accessToken;
  claims = decodeClaims(accessToken);
}

export function signOut() {
  token = null;
  claims = null;
}

export const signedIn = () => token !== null;
export const principal = () => claims;

/** A failed call: the gateway's error object ({code, message, rule, ...}) and the HTTP status. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error && error.message ? error.message : 'HTTP ' + status);
    this.status = status;
    this.error = error || { code: 'HTTP_' + status, message: 'HTTP ' + status };
  }
}

export async function call(path, { method = 'GET', body } = {}) {
  const headers = { 'Accept': 'application/json' };
  if (token) headers['Authorization'] = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store', redirect: 'error' });
  } catch (e) {
    throw new ApiError(0, { code: 'NETWORK', message: 'the gateway could not be reached: ' + e.message });
  }
  let json = null;
  try { json = await res.json(); } catch (e) { json = null; }
  if (!res.ok) throw new ApiError(res.status, json && json.error);
  return { status: res.status, body: json };
}

/** The token's claims, for display only (the gateway validates the token; the console never trusts these). */
function decodeClaims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    return JSON.parse(json);
  } catch (e) {
    return {};
  }
}
