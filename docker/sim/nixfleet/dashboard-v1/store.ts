import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

/** The v1 FastAPI dashboard's tables (reference §6.2), as its SQLite file had them. */
export const V1_SCHEMA = `
CREATE TABLE IF NOT EXISTS hosts (
  id TEXT PRIMARY KEY, hostname TEXT NOT NULL, host_type TEXT NOT NULL CHECK (host_type IN ('nixos','macos')),
  location TEXT, device_type TEXT, theme_color TEXT, criticality TEXT, icon TEXT,
  last_seen TEXT, last_switch TEXT, last_audit TEXT, last_fix TEXT, current_generation TEXT,
  status TEXT DEFAULT 'unknown', pending_command TEXT, command_queued_at TEXT, comment TEXT,
  test_status TEXT, config_repo TEXT, test_running INTEGER DEFAULT 0, test_current INTEGER, test_total INTEGER,
  test_passed_count INTEGER, test_result TEXT, poll_interval INTEGER, metrics TEXT, metrics_updated_at TEXT,
  agent_version TEXT, nixpkgs_version TEXT, os_version TEXT, os_name TEXT, agent_token_hash TEXT);
CREATE TABLE IF NOT EXISTS command_log (id INTEGER PRIMARY KEY AUTOINCREMENT, host_id TEXT NOT NULL, command TEXT NOT NULL,
  status TEXT NOT NULL, output TEXT, created_at TEXT NOT NULL, completed_at TEXT);
CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, csrf_token TEXT NOT NULL, expires_at TEXT NOT NULL, created_at TEXT NOT NULL);
`

export function openV1Database(path: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.exec(V1_SCHEMA)
  return db
}

export interface V1Poll {
  hostname: string
  host_type: string
  location?: string
  device_type?: string
  theme_color?: string
  current_generation?: string
  poll_interval?: number
  agent_version?: string
  os_version?: string
}

export function recordPoll(db: Database.Database, p: V1Poll): void {
  db.prepare(
    `INSERT INTO hosts (id, hostname, host_type, location, device_type, theme_color, last_seen, current_generation, status, poll_interval, agent_version, os_version)
     VALUES (@hostname, @hostname, @host_type, @location, @device_type, @theme_color, @now, @current_generation, 'online', @poll_interval, @agent_version, @os_version)
     ON CONFLICT(id) DO UPDATE SET last_seen=excluded.last_seen, current_generation=excluded.current_generation, status='online',
       poll_interval=excluded.poll_interval, agent_version=excluded.agent_version, os_version=excluded.os_version`,
  ).run({
    location: null,
    device_type: null,
    theme_color: null,
    current_generation: null,
    poll_interval: null,
    agent_version: null,
    os_version: null,
    ...p,
    now: new Date().toISOString(),
  })
}
