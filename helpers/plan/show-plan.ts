import { say } from '../output/say.ts'
import { writeRunArtifact } from '../runner/run-folder.ts'
import type { PhasePlan } from './phase-plan.ts'

/** Prints a phase's plan and keeps it in the run's folder (the sign-off evidence of what was planned). */
export function showPlan(plan: PhasePlan, artifact: string): PhasePlan {
  say(plan.render())
  writeRunArtifact(artifact, { phase: plan.phase, steps: plan.steps })
  return plan
}
