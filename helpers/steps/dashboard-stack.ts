import type { Host } from '../hosts/host.ts'
import { HostError } from '../hosts/errors.ts'
import type { Inventory } from '../inventory/load-inventory.ts'
import { remotePath, sh } from '../shell/quote.ts'

/** The stack has no container for the service at all (never created, or removed). */
export class NoContainerError extends HostError {
  override name = 'NoContainerError'
}

/**
 * The dashboard's Compose stack on csb1, driven by the plan's own commands
 * in its directory (`cd ~/docker/nixfleet && docker compose …`).
 */
export class DashboardStack {
  constructor(
    readonly host: Host,
    readonly inventory: Inventory,
  ) {}

  get dir(): string {
    return this.inventory.dashboard.compose_dir
  }

  /** `cd <dir> && <command>`; the directory is quoted, the command is the plan's text. */
  inDir(command: string): string {
    return `cd ${remotePath(this.dir).text} && ${command}`
  }

  async compose(args: string, timeout: '1m' | '5m' | '15m' = '5m'): Promise<string> {
    return this.host.succeed(this.inDir(`docker compose ${args} 2>&1`), { timeout })
  }

  /** Ids of the stack's running containers (empty when the stack is down). */
  async runningIds(): Promise<string[]> {
    const out = await this.compose('ps -q', '1m')
    return out.split('\n').filter((l) => /^[0-9a-f]{12,}$/.test(l.trim()))
  }

  /** The plan's check `docker ps | grep nixfleet`: every running container whose name or image says nixfleet. */
  async nixfleetContainers(): Promise<string[]> {
    const out = await this.host.succeed(`docker ps --format '{{.Names}} {{.Image}} {{.Status}}'`, {
      timeout: '1m',
    })
    return out.split('\n').filter((l) => /nixfleet/i.test(l))
  }

  /** The service's container, its state and Docker health (with the last healthcheck's output). */
  async health(): Promise<{ id: string; status: string; health: string; lastCheck: string }> {
    const svc = this.inventory.dashboard.service
    // -a: a stopped container is still the service's container (and says why it stopped).
    const id = (await this.compose(sh`ps -a -q ${svc}`, '1m')).trim().split('\n')[0] ?? ''
    if (!id) throw new NoContainerError(this.host.name, `no ${svc} container in ${this.dir}`)
    const out = await this.host.succeed(sh`docker inspect -f ${'{{json .State}}'} ${id}`, {
      timeout: '1m',
    })
    const state = JSON.parse(out) as {
      Status: string
      Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] }
    }
    const last = state.Health?.Log?.at(-1)
    return {
      id,
      status: state.Status,
      health: state.Health?.Status ?? 'none',
      lastCheck: last ? `exit ${last.ExitCode}: ${last.Output.trim().slice(0, 300)}` : '',
    }
  }

  /** The v1 database backups in the stack's directory (inventory `dashboard.backup`), oldest first. */
  async backups(): Promise<string[]> {
    const prefix = this.inventory.dashboard.backup.replace('{date}', '')
    const out = await this.host.run(this.inDir(sh`ls -1d -- ${prefix}* 2>/dev/null`), {
      timeout: '30s',
    })
    return out.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .sort()
  }

  /** Path of a file of the stack, for commands (relative paths are under the stack's directory). */
  file(rel: string): string {
    return `${remotePath(this.dir).text}/${sh`${rel}`}`
  }

  /** sha256 of files of the stack, by relative path; missing files are absent from the result. */
  async checksums(rels: string[]): Promise<Map<string, string>> {
    const out = await this.host.run(this.inDir(sh`sha256sum -- ${rels}`), { timeout: '2m' })
    const sums = new Map<string, string>()
    for (const line of out.stdout.split('\n')) {
      const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim())
      if (m) sums.set(m[2] as string, m[1] as string)
    }
    return sums
  }
}
