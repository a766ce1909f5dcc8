import { isDeepStrictEqual } from 'node:util'
import { isMap, parseDocument } from 'yaml'
import { HostError } from '../hosts/errors.ts'
import type { Inventory } from '../inventory/load-inventory.ts'
import { remotePath, sh } from '../shell/quote.ts'
import type { DashboardStack } from './dashboard-stack.ts'

export const V2_VOLUME = 'nixfleet_data'

/**
 * The v2 service as the executed plan added it to csb1's main compose file
 * (its §2.2), with two departures the README lists: no `container_name:
 * nixfleet` (the stopped v1 container keeps that name for the rollback) and
 * the env file by its absolute path (`~` is not expanded by every Compose).
 */
export function v2Service(inv: Inventory, envFile: string): Record<string, unknown> {
  const name = new URL(inv.dashboard.url).hostname
  const svc = inv.dashboard.service
  return {
    build: {
      context: `./${relativeTo(inv.dashboard.compose_dir, inv.dashboard.checkout)}/v2`,
      dockerfile: 'Dockerfile',
    },
    restart: 'unless-stopped',
    env_file: [envFile],
    volumes: [`${V2_VOLUME}:/data`],
    networks: ['traefik'],
    labels: [
      'traefik.enable=true',
      `traefik.http.routers.${svc}.rule=Host(\`${name}\`)`,
      `traefik.http.routers.${svc}.tls.certresolver=default`,
      `traefik.http.routers.${svc}.tls=true`,
      `traefik.http.services.${svc}.loadbalancer.server.port=8000`,
      'traefik.docker.network=csb1_traefik',
      `traefik.http.routers.${svc}.middlewares=cloudflarewarp@file`,
    ],
    healthcheck: {
      test: ['CMD', 'wget', '-q', '--spider', 'http://localhost:8000/login'],
      interval: '30s',
      timeout: '10s',
      retries: 3,
      start_period: '10s',
    },
  }
}

/** The checkout's path below the main stack's directory (`./nixfleet` for ~/docker/nixfleet under ~/docker). */
function relativeTo(dir: string, sub: string): string {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`
  if (!sub.startsWith(prefix))
    throw new Error(
      `dashboard.checkout ${sub} is not inside dashboard.compose_dir ${dir}: the v2 service's build context must be below the main stack`,
    )
  return sub.slice(prefix.length)
}

/**
 * The main compose file with the v2 service and its volume added. Comments
 * and the other services stay as they are. `unchanged` when the service is
 * already there exactly so; a different service of that name is refused.
 */
export function withV2Service(
  text: string,
  inv: Inventory,
  envFile: string,
  file: string,
): { text: string; unchanged: boolean } {
  const doc = parseDocument(text)
  if (doc.errors.length)
    throw new Error(`${file} is not valid YAML: ${doc.errors[0]?.message ?? ''}`)
  const services = doc.get('services')
  if (!isMap(services)) throw new Error(`${file} has no services: mapping`)
  const svc = inv.dashboard.service
  const want = v2Service(inv, envFile)
  const have = services.get(svc)
  if (have !== undefined) {
    const json = doc.toJS() as { services: Record<string, unknown> }
    if (isDeepStrictEqual(json.services[svc], want)) return { text, unchanged: true }
    throw new Error(
      `${file} already defines a service "${svc}" that differs from the v2 service the runbook adds; not changing it`,
    )
  }
  doc.setIn(['services', svc], doc.createNode(want))
  if (!doc.hasIn(['volumes', V2_VOLUME])) doc.setIn(['volumes', V2_VOLUME], doc.createNode({}))
  return { text: doc.toString({ lineWidth: 0 }), unchanged: false }
}

/** The main compose file without the v2 service (the rollback); the volume stays with its data. */
export function withoutV2Service(text: string, inv: Inventory, file: string): string | undefined {
  const doc = parseDocument(text)
  if (doc.errors.length)
    throw new Error(`${file} is not valid YAML: ${doc.errors[0]?.message ?? ''}`)
  if (!doc.hasIn(['services', inv.dashboard.service])) return undefined
  doc.deleteIn(['services', inv.dashboard.service])
  return doc.toString({ lineWidth: 0 })
}

const COMPOSE_FILE = 'docker-compose.yml'

/**
 * Replaces the main compose file on csb1 with `next`, safely: the new text is
 * written beside it and checked by Compose itself (`docker compose config`)
 * before it takes the name; the old file is kept as `<file>.before-<what>-<time>`.
 */
export async function replaceMainCompose(
  stack: DashboardStack,
  next: string,
  what: string,
): Promise<string> {
  const { host } = stack
  const cand = `.${COMPOSE_FILE}.runbook-new`
  await host.succeed(stack.inDir(sh`cat > ${cand}`), { timeout: '30s', stdin: next })
  const check = await host.run(stack.inDir(sh`docker compose -f ${cand} config -q 2>&1`), {
    timeout: '1m',
  })
  if (check.exitCode !== 0) {
    await host.run(stack.inDir(sh`rm -f ${cand}`), { timeout: '30s' })
    throw new HostError(
      host.name,
      `the edited ${stack.dir}/${COMPOSE_FILE} does not pass docker compose config: ${check.stdout.trim().split('\n').slice(-2).join(' | ')}; left unchanged`,
    )
  }
  const stamp = (await host.succeed('date +%Y%m%d-%H%M%S', { timeout: '30s' })).trim()
  const kept = `${COMPOSE_FILE}.before-${what}-${stamp}`
  await host.succeed(stack.inDir(sh`cp -p ${COMPOSE_FILE} ${kept} && mv ${cand} ${COMPOSE_FILE}`), {
    timeout: '30s',
  })
  return `${stack.dir}/${COMPOSE_FILE} changed (${what}); the previous file kept as ${kept}`
}

/** The main compose file's text (it holds no secrets: those are in env files). */
export async function readMainCompose(stack: DashboardStack): Promise<string> {
  return stack.host.succeed(`cat ${remotePath(stack.dir).text}/${COMPOSE_FILE}`, { timeout: '30s' })
}

/** The remote user's $HOME, for the env file's absolute path. */
export async function absoluteEnvFile(stack: DashboardStack): Promise<string> {
  const file = stack.inventory.dashboard.env_file
  if (!file.startsWith('~/')) return file
  const home = (await stack.host.succeed('printf %s "$HOME"', { timeout: '30s' })).trim()
  return `${home}/${file.slice(2)}`
}
