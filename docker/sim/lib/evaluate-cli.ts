/**
 * The simulated fleet's evaluator, run on the operator's machine: what the
 * rehearsal gives the runbook in place of `nix eval` (REHEARSAL_TARGET_FILE's
 * `evaluate`). `evaluate-cli <flakeDir> <kind>:<attr>…` prints one JSON line
 * per host output, {"output","ok","error"}, judged under the module version
 * the flake.lock in <flakeDir> pins, as the simulated hosts' switch judges it.
 * With `--firewall` first, each line also carries the firewall the NixOS
 * configuration applies at boot (what `nix eval …config.networking.firewall`
 * gives the runbook in production).
 */
import { fileURLToPath } from 'node:url'
import { evaluateAgent } from './evaluate.ts'

const files = {
  evalNix: fileURLToPath(new URL('../nix/eval-agent.nix', import.meta.url)),
  revs: fileURLToPath(new URL('../../nixfleet-revs.json', import.meta.url)),
}
const args = process.argv.slice(2)
const withFirewall = args[0] === '--firewall'
const [flakeDir, ...outputs] = withFirewall ? args.slice(1) : args
if (!flakeDir || !outputs.length) {
  process.stderr.write('usage: evaluate-cli [--firewall] <flakeDir> <nixos|home>:<attr>…\n')
  process.exit(2)
}
for (const output of outputs) {
  const [kind, ...rest] = output.split(':')
  const attr = rest.join(':')
  try {
    if (kind !== 'nixos' && kind !== 'home') throw new Error(`unknown output kind "${kind}"`)
    const ev = evaluateAgent(flakeDir, attr, kind, files)
    const extra = withFirewall ? { firewall: ev.firewall } : {}
    process.stdout.write(JSON.stringify({ output, ok: true, ...extra }) + '\n')
  } catch (err) {
    process.stdout.write(
      JSON.stringify({ output, ok: false, error: (err as Error).message }) + '\n',
    )
  }
}
