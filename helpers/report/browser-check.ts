import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { PLAN_CHECKLISTS } from './plan-checklists.ts'

/** Debian's chromium, installed by scripts/setup.sh. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export interface RenderedCheckbox {
  checklist: string
  text: string
  status: string
}

/**
 * Opens a run's signoff.html from disk in headless Chromium (no server, no
 * network: anything the page tried to fetch is recorded as a problem), reads
 * every checkbox row as a person would see it, and saves a screenshot next to
 * the report.
 */
export async function readSignoffInBrowser(folder: string): Promise<{
  target: string
  checkboxes: RenderedCheckbox[]
  external: string[]
  screenshot: string
}> {
  const file = join(folder, 'signoff.html')
  if (!existsSync(file)) throw new Error(`${file} does not exist`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox'],
    timeout: 60_000,
  })
  try {
    const page = await browser.newPage()
    const external: string[] = []
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) external.push(r.url())
    })
    await page.goto(pathToFileURL(file).href, { timeout: 30_000 })
    const target = (await page.locator('#target').innerText()).trim()
    const checkboxes: RenderedCheckbox[] = []
    for (const l of PLAN_CHECKLISTS) {
      const rows = page.locator(`#${l.id} tr[data-checkbox]`)
      for (let i = 0; i < (await rows.count()); i++) {
        const row = rows.nth(i)
        checkboxes.push({
          checklist: l.id,
          text: (await row.locator('td').nth(1).innerText()).trim(),
          status: (await row.locator('td.status').innerText()).trim(),
        })
      }
    }
    const screenshot = join(folder, 'signoff.png')
    await page.screenshot({ path: screenshot, fullPage: true })
    return { target, checkboxes, external, screenshot }
  } finally {
    await browser.close()
  }
}
