import { expect } from 'vitest'
import { readTranscript, type TranscriptEntry } from '../../helpers/transcript/transcript.ts'
import type { RunbookRun } from './run-runbook.ts'

/** The commands a run started, as its transcript journalled them. */
export function commands(run: RunbookRun): TranscriptEntry[] {
  expect(run.folder, run.output.slice(-2000)).toBeDefined()
  return readTranscript(run.folder!).filter((e) => e.outcome === 'started')
}

/** Hosts the run switched (nixos-rebuild or home-manager switch), sorted. */
export const switches = (run: RunbookRun): string[] =>
  commands(run)
    .filter((e) => /(nixos-rebuild|home-manager) switch/.test(e.command))
    .map((e) => e.host)
    .sort()

/** Hosts rebooted: by the runbook's command, or by a person asked to (a Mac's restart). */
export const reboots = (run: RunbookRun): string[] =>
  commands(run)
    .filter((e) => /systemctl reboot|shutdown -r|^PERSON STEP .*: restart /.test(e.command))
    .map((e) => e.host)
