import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

/** v2.0's SQLite schema (reference §3.2), WAL mode, so hosts and sessions survive restarts. */
export interface HostRow {
  id: string
  hostname: string
  host_type: string
  agent_version: string
  os_version: string
  nixpkgs_version: string
  generation: string
  last_seen: string | null
  status: string
  pending_command: string | null
  comment: string
}

export class Store {
  private db: Database.Database

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, csrf_token TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT (datetime('now')), expires_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS idx_sessions_expires ON sessions(expires_at);
      CREATE TABLE IF NOT EXISTS hosts (
        id TEXT PRIMARY KEY, hostname TEXT UNIQUE NOT NULL, host_type TEXT NOT NULL DEFAULT 'nixos',
        agent_version TEXT NOT NULL DEFAULT '', os_version TEXT NOT NULL DEFAULT '', nixpkgs_version TEXT NOT NULL DEFAULT '',
        generation TEXT NOT NULL DEFAULT '', last_seen TEXT, status TEXT NOT NULL DEFAULT 'unknown', pending_command TEXT,
        comment TEXT NOT NULL DEFAULT '', theme_color TEXT NOT NULL DEFAULT '#7aa2f7', metrics_json TEXT,
        created_at TEXT NOT NULL DEFAULT (datetime('now')));
      CREATE TABLE IF NOT EXISTS command_logs (id INTEGER PRIMARY KEY AUTOINCREMENT, host_id TEXT, command TEXT, status TEXT, exit_code INTEGER, message TEXT, started_at TEXT, completed_at TEXT);
      CREATE TABLE IF NOT EXISTS metrics (host_id TEXT, cpu REAL, ram REAL, swap REAL, load REAL, recorded_at TEXT);
    `)
    // At startup no agent is connected yet (b0ddfd3).
    this.db.prepare(`UPDATE hosts SET status = 'offline' WHERE status = 'online'`).run()
  }

  createSession(id: string, csrf: string, durationMs: number): void {
    const expires = new Date(Date.now() + durationMs).toISOString()
    this.db
      .prepare('INSERT INTO sessions (id, csrf_token, expires_at) VALUES (?, ?, ?)')
      .run(id, csrf, expires)
  }

  /** The session's CSRF token, or undefined; an expired session is deleted on lookup. */
  session(id: string): { csrf: string } | undefined {
    const row = this.db
      .prepare('SELECT csrf_token, expires_at FROM sessions WHERE id = ?')
      .get(id) as { csrf_token: string; expires_at: string } | undefined
    if (!row) return undefined
    if (Date.parse(row.expires_at) < Date.now()) {
      this.deleteSession(id)
      return undefined
    }
    return { csrf: row.csrf_token }
  }

  deleteSession(id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id)
  }

  sessionCount(): number {
    return (this.db.prepare('SELECT count(*) n FROM sessions').get() as { n: number }).n
  }

  register(h: {
    hostname: string
    host_type: string
    agent_version: string
    os_version: string
    nixpkgs_version: string
    generation: string
  }): void {
    this.db
      .prepare(
        `INSERT INTO hosts (id, hostname, host_type, agent_version, os_version, nixpkgs_version, generation, last_seen, status, theme_color)
         VALUES (@hostname, @hostname, @host_type, @agent_version, @os_version, @nixpkgs_version, @generation, datetime('now'), 'online', @theme)
         ON CONFLICT(id) DO UPDATE SET host_type=excluded.host_type, agent_version=excluded.agent_version, os_version=excluded.os_version,
           nixpkgs_version=excluded.nixpkgs_version, generation=excluded.generation, last_seen=excluded.last_seen, status='online'`,
      )
      .run({ ...h, theme: h.host_type === 'macos' ? '#bb9af7' : '#7aa2f7' })
  }

  heartbeat(
    hostname: string,
    h: {
      generation: string
      nixpkgs_version: string
      pending_command: string | null
      metrics: unknown
    },
  ): void {
    this.db
      .prepare(
        `UPDATE hosts SET generation=?, nixpkgs_version=?, pending_command=?, metrics_json=?, last_seen=datetime('now'), status='online' WHERE id=?`,
      )
      .run(
        h.generation,
        h.nixpkgs_version,
        h.pending_command,
        h.metrics === null || h.metrics === undefined ? null : JSON.stringify(h.metrics),
        hostname,
      )
  }

  setStatus(hostname: string, status: string): void {
    this.db.prepare('UPDATE hosts SET status=? WHERE id=?').run(status, hostname)
  }

  setPending(hostname: string, command: string | null): void {
    this.db
      .prepare(
        `UPDATE hosts SET pending_command=?, status=CASE WHEN ? IS NULL THEN 'online' ELSE 'running' END WHERE id=?`,
      )
      .run(command, command, hostname)
  }

  hosts(): HostRow[] {
    return this.db
      .prepare(
        'SELECT id, hostname, host_type, agent_version, os_version, nixpkgs_version, generation, last_seen, status, pending_command, comment FROM hosts ORDER BY hostname',
      )
      .all() as HostRow[]
  }

  close(): void {
    this.db.close()
  }
}
