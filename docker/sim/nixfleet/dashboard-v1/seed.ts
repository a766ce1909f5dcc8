import type Database from 'better-sqlite3'
import { openV1Database } from './store.ts'

/**
 * The v1 database as it looked on csb1 the morning of the migration: the
 * nine hosts with their v1 metadata, some command history, a stale session.
 * The rehearsal copies it to ~/docker/nixfleet/data/nixfleet.db.
 */
const HOSTS: [string, 'nixos' | 'macos', string, string, string, string][] = [
  ['hsb0', 'nixos', 'home', 'server', '#d4c060', 'high'],
  ['hsb1', 'nixos', 'home', 'server', '#68c878', 'medium'],
  ['hsb8', 'nixos', 'home', 'server', '#e09050', 'medium'],
  ['csb0', 'nixos', 'cloud', 'server', '#98b8d8', 'high'],
  ['csb1', 'nixos', 'cloud', 'server', '#769ff0', 'medium'],
  ['gpc0', 'nixos', 'home', 'gaming', '#9868d0', 'low'],
  ['imac0', 'macos', 'home', 'desktop', '#a8a098', 'low'],
  ['mba-imac-work', 'macos', 'work', 'desktop', '#686c70', 'low'],
  ['mba-mbp-work', 'macos', 'work', 'laptop', '#a8aeb8', 'low'],
]

export function seedV1Database(path: string): void {
  const db: Database.Database = openV1Database(path)
  const insertHost = db.prepare(
    `INSERT OR REPLACE INTO hosts (id, hostname, host_type, location, device_type, theme_color, criticality, last_seen, last_switch, current_generation, status, poll_interval, agent_version, nixpkgs_version, os_version, os_name, config_repo)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 10, '0.4.0-c0569c5', '25.05.20251210.f0e1d2c', ?, ?, 'https://github.com/markus-barta/nixcfg.git')`,
  )
  const log = db.prepare(
    'INSERT INTO command_log (host_id, command, status, output, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?)',
  )
  db.transaction(() => {
    HOSTS.forEach(([name, type, loc, dev, color, crit], i) => {
      const seen =
        name === 'hsb8'
          ? '2025-12-09T18:02:11Z'
          : `2025-12-14T11:${String(50 + (i % 9)).padStart(2, '0')}:0${i}Z`
      insertHost.run(
        name,
        name,
        type,
        loc,
        dev,
        color,
        crit,
        seen,
        '2025-12-13T21:44:02Z',
        '9021575',
        name === 'hsb8' ? 'offline' : 'online',
        type === 'macos' ? '14.7.1' : '25.05',
        type === 'macos' ? 'macOS' : 'NixOS',
      )
      log.run(
        name,
        'pull',
        'success',
        'Already up to date.',
        '2025-12-13T21:42:00Z',
        '2025-12-13T21:42:03Z',
      )
      log.run(
        name,
        'switch',
        name === 'csb0' ? 'error' : 'success',
        name === 'csb0'
          ? 'error: sudo-rs: a password is required'
          : 'activating the configuration...',
        '2025-12-13T21:43:10Z',
        '2025-12-13T21:44:02Z',
      )
    })
    db.prepare(
      'INSERT OR REPLACE INTO sessions (token, csrf_token, expires_at, created_at) VALUES (?, ?, ?, ?)',
    ).run('v1-expired-session-0001', 'csrf-0001', '2025-12-12T08:00:00Z', '2025-12-11T08:00:00Z')
  })()
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
}
