// Sign-in: the demo issuer's /dev/token, or the configured OIDC provider (authorization code + PKCE).
import { signIn, ApiError } from './api.js';

const PKCE_KEY = 'omnisql.pkce'; // sessionStorage, for the redirect only: verifier and state, never a token

export async function demoSignIn({ sub, team, roles, scopes }) {
  const q = new URLSearchParams({ sub });
  if (team) q.set('team', team);
  if (roles) q.set('roles', roles);
  if (scopes) q.set('scopes', scopes);
  const res = await fetch('/dev/token?' + q, { credentials: 'omit', cache: 'no-store' });
  const json = await res.json().catch(() => null);
  if (!res.ok || !json || !json.access_token) {
    throw new ApiError(res.status, json && json.error);
  }
  signIn(json.access_token);
}

function base64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function redirectUri() {
  return location.origin + '/';
}

/** Sends the browser to the IdP; it comes back to / with ?code=&state=. */
export async function startOidc(oidc) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const q = new URLSearchParams({
    response_type: 'code', client_id: oidc.client_id, redirect_uri: redirectUri(), scope: 'openid',
    code_challenge: challenge, code_challenge_method: 'S256', state,
  });
  location.assign(oidc.authorization_endpoint + (oidc.authorization_endpoint.includes('?') ? '&' : '?') + q);
}

/** On return from the IdP: exchanges the code for a token. Returns true when it signed in. */
export async function finishOidc(oidc) {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return false;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || 'null');
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', '/'); // the code leaves the address bar and the history
  if (params.has('error')) {
    throw new ApiError(401, { code: 'UNAUTHENTICATED', message: 'sign-in failed: ' + params.get('error') + ' ' + (params.get('error_description') || '') });
  }
  if (!saved || saved.state !== params.get('state')) {
    throw new ApiError(401, { code: 'UNAUTHENTICATED', message: 'sign-in failed: the state does not match this browser tab' });
  }
  const res = await fetch(oidc.token_endpoint, {
    method: 'POST', credentials: 'omit', cache: 'no-store',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(),
      client_id: oidc.client_id, code_verifier: saved.verifier }),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok || !json || !json.access_token) {
    throw new ApiError(res.status, { code: 'UNAUTHENTICATED', message: 'token exchange failed: ' + ((json && (json.error_description || json.error)) || 'HTTP ' + res.status) });
  }
  signIn(json.access_token);
  return true;
}
