import { confirmCodes, CONFIRM_VARIABLE, TargetError, type Target } from '../config/target.ts'
import { say } from '../output/say.ts'
import { writeRunArtifact } from '../transcript/run-folder.ts'
import type { PhasePlan } from './phase-plan.ts'

/** Prints a phase's plan with its confirmation code, and keeps it in the run's folder. */
export function showPlan(plan: PhasePlan, artifact: string): PhasePlan {
  say(plan.render())
  say(
    `confirmation code of this plan (${plan.phase}): ${plan.code()} ` +
      `(production acts on it only with ${CONFIRM_VARIABLE}=${plan.code()})`,
  )
  writeRunArtifact(artifact, { phase: plan.phase, code: plan.code(), steps: plan.steps })
  return plan
}

/**
 * Before a production phase's first change: the plan is printed, and the run
 * goes on only when MIGRATION_CONFIRM holds this plan's code, the one plan
 * mode showed the operator. A plan that changed since (another nixcfg commit,
 * another inventory, another host scope) has another code and is refused
 * before anything is done. The rehearsal needs no confirmation.
 */
export function confirmPlan(
  target: Target,
  build: () => PhasePlan,
  artifact: string,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (target !== 'production') return
  const plan = showPlan(build(), artifact)
  const given = confirmCodes(env)
  if (!given.includes(plan.code()))
    throw new TargetError(
      `${plan.phase}: refused, nothing was changed: the plan above has confirmation code ${plan.code()}, ` +
        `which is not in ${CONFIRM_VARIABLE} (${given.join(', ') || 'empty'}); the plan differs from the one reviewed: ` +
        `review it and confirm with ${CONFIRM_VARIABLE}=${plan.code()}`,
    )
  say(`${plan.phase}: plan confirmed (${plan.code()})`)
}
