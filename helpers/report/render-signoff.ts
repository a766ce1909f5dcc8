import { DEPARTURES } from './departures.ts'
import { PLAN_CHECKLISTS } from './plan-checklists.ts'
import type { CheckRecord, CheckStatus, RunResults } from './results.ts'
import type { TranscriptEntry } from '../transcript/transcript.ts'

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const ICON: Record<CheckStatus, string> = {
  passed: '✔ passed',
  failed: '✘ failed',
  skipped: '– skipped',
  'not run': '? not run',
}

function outcomeText(e: TranscriptEntry): string {
  if (e.kind === 'person') return e.exitCode === 0 ? 'seen done' : 'not seen done'
  if (e.exitCode === null) return esc(e.outcome === 'exit' ? 'answered' : e.outcome)
  return e.kind ? `HTTP ${e.exitCode}` : `exit ${e.exitCode}`
}

/**
 * A wait polls the same request or command many times: consecutive entries
 * that read the same (what was run, its outcome, what came back) are shown
 * once with their count, so the evidence stays readable.
 */
function collapse(entries: TranscriptEntry[]): { e: TranscriptEntry; times: number }[] {
  const out: { e: TranscriptEntry; times: number }[] = []
  const same = (a: TranscriptEntry, b: TranscriptEntry): boolean =>
    a.host === b.host &&
    a.command === b.command &&
    a.exitCode === b.exitCode &&
    a.outcome === b.outcome &&
    a.stdoutTail === b.stdoutTail &&
    a.stderrTail === b.stderrTail
  for (const e of entries) {
    const last = out.at(-1)
    if (last && same(last.e, e)) last.times++
    else out.push({ e, times: 1 })
  }
  return out
}

function evidence(c: CheckRecord): string {
  if (!c.evidence.length && !c.reason) return ''
  const cmds = collapse(c.evidence)
    .map(
      ({ e, times }) =>
        `<li><code>${e.kind ? esc(e.command) : `${esc(e.host)}$ ${esc(e.command)}`}</code> → ${outcomeText(e)} (${e.durationMs} ms)${times > 1 ? ` ×${times}` : ''}${
          e.stdoutTail || e.stderrTail
            ? `<pre>${esc([e.stdoutTail, e.stderrTail].filter(Boolean).join('\n'))}</pre>`
            : ''
        }</li>`,
    )
    .join('')
  return `<details><summary>evidence (${c.evidence.length} ${c.evidence.length === 1 ? 'entry' : 'entries'}: commands and requests)</summary>${
    c.reason ? `<pre class="reason">${esc(c.reason)}</pre>` : ''
  }<ul>${cmds}</ul></details>`
}

function row(text: string, c: CheckRecord | undefined): string {
  const status: CheckStatus = c?.status ?? 'not run'
  return `<tr class="${status.replace(' ', '-')}" data-checkbox="${esc(text)}" data-status="${status}">
<td class="box">${status === 'passed' ? '☑' : '☐'}</td><td>${esc(text)}</td><td>${esc(c?.host ?? '')}</td>
<td class="status">${ICON[status]}</td><td>${c ? `${(c.durationMs / 1000).toFixed(1)} s` : ''}</td>
<td>${c ? evidence(c) : '<em>no check for this item ran in this run</em>'}</td></tr>`
}

/**
 * The sign-off page: one self-contained HTML file (inline CSS, no scripts,
 * no external resources). Failures first, then each checklist of the plan in
 * its own words and order, then the other checks by section, then what the
 * phases did, then the block a person fills in to sign.
 */
export function renderSignoff(r: RunResults): string {
  const { meta } = r
  const byTitle = new Map(r.checks.map((c) => [c.title, c]))
  const inChecklists = new Set(PLAN_CHECKLISTS.flatMap((l) => l.items))
  const failures = r.checks.filter((c) => c.status === 'failed')
  const counts = (['passed', 'failed', 'skipped'] as const).map(
    (s) => `${r.checks.filter((c) => c.status === s).length} ${s}`,
  )
  const production = meta.target === 'production'
  const checklists = PLAN_CHECKLISTS.map(
    (l) => `<section class="checklist" id="${l.id}"><h2>${esc(l.title)}</h2>
<p class="spec">verified by <code>${esc(l.spec)}</code></p>
<table><thead><tr><th></th><th>checkbox</th><th>host</th><th>status</th><th>time</th><th>evidence</th></tr></thead>
<tbody>${l.items.map((item) => row(item, byTitle.get(item))).join('\n')}</tbody></table></section>`,
  ).join('\n')
  const others = r.checks.filter((c) => !inChecklists.has(c.title))
  const sections = new Map<string, CheckRecord[]>()
  for (const c of others) {
    const key = `${c.spec} › ${c.path.join(' › ')}`
    sections.set(key, [...(sections.get(key) ?? []), c])
  }
  const otherHtml = [...sections.entries()]
    .map(
      ([k, cs]) =>
        `<h3>${esc(k)}</h3><table><tbody>${cs.map((c) => row(c.title, c)).join('\n')}</tbody></table>`,
    )
    .join('\n')
  const actions = r.actions
    .map(
      (a) =>
        `<tr><td>${esc(a.phase)}</td><td>${esc(a.action)}</td><td>${a.commands}</td><td>${a.failedCommands}</td><td>${esc(a.firstAt)}</td><td>${esc(a.lastAt)}</td></tr>`,
    )
    .join('\n')
  const unfinished = r.unfinished.length
    ? `<section class="summary" id="unfinished"><h2>${r.unfinished.length} command${r.unfinished.length === 1 ? '' : 's'} started, never finished</h2>
<p>Each was in flight when the run stopped: check its host (or the nixcfg working copy, for local ones) before running again.</p>
<ul>${r.unfinished.map((e) => `<li>${esc(e.time)} ${esc(e.phase ?? '')} ${esc(e.check ?? '')}: <code>${esc(e.host)}$ ${esc(e.command)}</code></li>`).join('')}</ul></section>`
    : ''
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>P4500 sign-off — ${esc(meta.target.toUpperCase())} — ${esc(meta.runId)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0 2em 4em;color:#222}
.target{margin:0 -2em 1em;padding:.8em 2em;font-size:1.6em;font-weight:700;color:#fff;background:${production ? '#b00020' : '#1a5fb4'}}
.target small{font-size:.55em;font-weight:400;display:block}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}th,td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
tr.passed .status{color:#1b7f2a}tr.failed .status{color:#b00020;font-weight:700}tr.skipped .status,tr.not-run .status{color:#8a6d00}
td.box{font-size:1.2em}pre{white-space:pre-wrap;background:#f6f6f6;padding:.4em;max-height:20em;overflow:auto}pre.reason{background:#fdecee}
.summary{padding:.5em 1em;border:2px solid ${failures.length ? '#b00020' : '#1b7f2a'}}
.meta td:first-child{font-weight:600;width:14em}.signoff td{height:2.2em}.signoff input,.signoff select{width:100%}
</style></head><body>
<div class="target" id="target">${production ? 'PRODUCTION' : 'REHEARSAL'} — plan P4500 sign-off
<small>${production ? 'the real fleet' : 'a simulated fleet in containers'}${meta.faults ? ` — FAULT MODE: ${esc(meta.faults)}` : ''}${meta.interrupted ? ` — INTERRUPTED: ${esc(meta.interrupted)}` : ''}</small></div>
<table class="meta"><tbody>
<tr><td>run</td><td>${esc(meta.runId)}</td></tr>
<tr><td>started / finished</td><td>${esc(meta.startedAt)} / ${esc(meta.finishedAt)}</td></tr>
<tr><td>hosts in scope</td><td>${esc(meta.scope)}</td></tr>
<tr><td>run by</td><td>${esc(meta.operator)} on ${esc(meta.machine)}</td></tr>
<tr><td>runbook commit</td><td><code>${esc(meta.runbookCommit)}</code></td></tr>
<tr><td>nixcfg before → after</td><td><code>${esc(meta.nixcfgBefore)}</code> → <code>${esc(meta.nixcfgAfter)}</code></td></tr>
<tr><td>checks</td><td>${counts.join(', ')}</td></tr>
</tbody></table>
<section class="summary" id="failures"><h2>${failures.length ? `${failures.length} failed check${failures.length === 1 ? '' : 's'}` : 'No failed checks'}</h2>
${failures.length ? `<table><tbody>${failures.map((c) => row(c.title, c)).join('\n')}</tbody></table>` : ''}</section>
${unfinished}
${checklists}
<section id="other"><h2>Other checks (the plan's verify steps)</h2>${otherHtml || '<p>none</p>'}</section>
<section id="departures"><h2>Departures from the plan's text</h2><table><thead><tr><th>where</th><th>the plan says</th><th>the runbook does</th><th>why</th></tr></thead><tbody>${DEPARTURES.map((d) => `<tr><td>${esc(d.section)}</td><td><code>${esc(d.plan)}</code></td><td>${esc(d.runbook)}</td><td>${esc(d.why)}</td></tr>`).join('')}</tbody></table></section>
<section id="actions"><h2>What the phases did</h2><table><thead><tr><th>phase</th><th>action</th><th>commands</th><th>non-zero exits</th><th>first</th><th>last</th></tr></thead><tbody>${actions}</tbody></table></section>
<section class="signoff" id="signoff"><h2>Sign-off</h2><table><tbody>
<tr><td>name</td><td><input type="text" name="name"></td></tr>
<tr><td>date</td><td><input type="date" name="date"></td></tr>
<tr><td>decision</td><td><select name="decision"><option></option><option>approved: proceed</option><option>rejected: do not proceed</option><option>approved with conditions (below)</option></select></td></tr>
<tr><td>conditions / notes</td><td><textarea name="notes" rows="3" style="width:100%"></textarea></td></tr>
</tbody></table></section>
</body></html>
`
}
