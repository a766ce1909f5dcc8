import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { formatMs } from '../../helpers/time/duration.ts'

/**
 * The benchmark's figures, each printed beside the one recorded by the
 * previous run (kept in the repository, so a regression shows in review too).
 */
export interface Figure {
  name: string
  value: number
  unit: 'ms' | 'MiB' | 's' | '%'
  /** What it is measured against, if the issues set a target. */
  target?: string
}

export interface Recorded {
  recordedAt: string
  machine: string
  figures: Record<string, { value: number; unit: Figure['unit'] }>
}

export function readRecorded(file: string): Recorded | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Recorded) : undefined
}

const show = (value: number, unit: Figure['unit']): string =>
  unit === 'ms' ? formatMs(value) : `${value.toFixed(1)} ${unit}`

/** `name  value  (previous: value, ±n %)  [target]`, one line. */
export function formatFigure(f: Figure, previous: Recorded | undefined): string {
  const before = previous?.figures[f.name]
  const change =
    before && before.value > 0
      ? `${f.value >= before.value ? '+' : ''}${(((f.value - before.value) / before.value) * 100).toFixed(0)} %`
      : ''
  const prev = before
    ? `previous ${show(before.value, before.unit)}, ${change}`
    : 'no previous figure'
  return `${f.name.padEnd(58)} ${show(f.value, f.unit).padStart(12)}   (${prev})${f.target ? `   target ${f.target}` : ''}`
}

/** Keeps the figures of earlier runs that this run did not measure (a partial run). */
export function record(
  file: string,
  figures: Figure[],
  previous: Recorded | undefined,
  machine: string,
): void {
  const merged: Recorded['figures'] = { ...previous?.figures }
  for (const f of figures) merged[f.name] = { value: f.value, unit: f.unit }
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(
    file,
    JSON.stringify({ recordedAt: new Date().toISOString(), machine, figures: merged }, null, 2) +
      '\n',
  )
}
