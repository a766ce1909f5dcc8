import { planChecklist } from '../plan/plan-source.ts'

/**
 * The plan's checklists in its own words and order (P4500 §1.3, §2.7,
 * Success Criteria), read from the plan itself (`plan/`). The report shows
 * every item, whether or not a test ran for it: a checkbox without a result
 * is "not run", never silently absent. Test titles are the checkbox text, so
 * results are matched by title (`checklist-source.test.ts` holds the specs
 * and the fault matrix to it).
 */
export interface Checklist {
  id: string
  /** The plan's heading above the checkboxes, which is also the spec's describe title. */
  title: string
  /** The spec file that verifies it. */
  spec: string
  items: string[]
}

const SOURCES: Omit<Checklist, 'items'>[] = [
  {
    id: 'phase1',
    title: '1.3 Verification Checklist - Phase 1',
    spec: 'specs/phase1-decommission-v1.spec.ts',
  },
  {
    id: 'phase2',
    title: '2.7 Verification Checklist - Phase 2',
    spec: 'specs/phase2-deploy-v2.spec.ts',
  },
  { id: 'success', title: 'Success Criteria', spec: 'specs/phase2-success-criteria.spec.ts' },
]

export const PLAN_CHECKLISTS: Checklist[] = SOURCES.map((s) => ({
  ...s,
  items: planChecklist(s.title),
}))

/** The host a check is about, when its title starts with one ("gpc0: …"). */
export function hostOf(title: string): string | undefined {
  return /^([a-z0-9-]+): /.exec(title)?.[1]
}
