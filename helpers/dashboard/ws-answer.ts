import type { HttpResult } from './client.ts'

/**
 * Who answers `GET /ws` without credentials at the dashboard's name:
 * - v2: 401 (the endpoint exists, the request is not authenticated);
 * - v1: 404 from the application itself (FastAPI's JSON `{"detail":"Not Found"}`);
 * - no-router: Traefik's own `404 page not found` (text/plain): no running
 *   container carries a router for the name, i.e. nothing is deployed there
 *   (reference §3; what the real csb1 answers once v1 is stopped);
 * - other: anything else, quoted.
 */
export type WsAnswer =
  { kind: 'v2' | 'v1' | 'no-router' | 'other'; detail: string } | { kind: 'none'; detail: string }

/** Traefik's own answer for a name no running, healthy container claims (any path). */
export function isNoRouter(r: HttpResult): boolean {
  const type = r.contentType?.split(';')[0]?.trim() ?? ''
  return r.status === 404 && type === 'text/plain' && r.body.trim() === '404 page not found'
}

export function classifyWsAnswer(r: HttpResult): WsAnswer {
  const type = r.contentType?.split(';')[0]?.trim() ?? ''
  const body = r.body.trim()
  const detail = `HTTP ${r.status}${type ? ` ${type}` : ''}: ${body.slice(0, 60) || '(empty)'}`
  if (r.status === 401) return { kind: 'v2', detail }
  if (isNoRouter(r)) return { kind: 'no-router', detail }
  if (r.status === 404 && type === 'application/json' && /"detail"\s*:\s*"Not Found"/.test(body))
    return { kind: 'v1', detail }
  return { kind: 'other', detail }
}
