/**
 * The plan's checklists in its own words and order (P4500 §1.3, §2.7,
 * Success Criteria). The report shows every item, whether or not a test ran
 * for it: a checkbox without a result is "not run", never silently absent.
 * Test titles are the checkbox text, so results are matched by title.
 */
export interface Checklist {
  id: string
  title: string
  /** The spec file that verifies it. */
  spec: string
  items: string[]
}

export const PLAN_CHECKLISTS: Checklist[] = [
  {
    id: 'phase1',
    title: '1.3 Verification Checklist - Phase 1',
    spec: 'specs/phase1-decommission-v1.spec.ts',
    items: [
      'hsb0: v1 agent stopped',
      'hsb1: v1 agent stopped',
      'hsb8: v1 agent stopped',
      'csb0: v1 agent stopped',
      'csb1: v1 agent stopped',
      'gpc0: v1 agent stopped',
      'mba-mbp-work: v1 agent stopped',
      'imac0: v1 agent stopped',
      'csb1: v1 dashboard stopped',
      'csb1: database backed up',
    ],
  },
  {
    id: 'phase2',
    title: '2.7 Verification Checklist - Phase 2',
    spec: 'specs/phase2-deploy-v2.spec.ts',
    items: [
      'v2 dashboard running on csb1',
      'v2 dashboard survives csb1 reboot',
      'Login with password + TOTP works',
      'gpc0: v2 agent connected',
      'gpc0: survives reboot',
      'mba-mbp-work: v2 agent connected',
      'mba-mbp-work: survives reboot',
      'Dashboard shows both hosts online',
      'Can send commands to both hosts',
    ],
  },
  {
    id: 'success',
    title: 'Success Criteria',
    spec: 'specs/phase2-success-criteria.spec.ts',
    items: [
      'All v1 agents disabled',
      'v1 dashboard stopped',
      'v2 dashboard running and accessible',
      'v2 agents on gpc0 and mba-mbp-work',
      'Both hosts visible in dashboard',
      'Commands work (pull, switch)',
      'All survives reboot',
    ],
  },
]

/** The host a check is about, when its title starts with one ("gpc0: …"). */
export function hostOf(title: string): string | undefined {
  return /^([a-z0-9-]+): /.exec(title)?.[1]
}
