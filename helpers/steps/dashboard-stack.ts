import type { Host } from '../hosts/host.ts'
import { HostError } from '../hosts/errors.ts'
import type { Inventory } from '../inventory/load-inventory.ts'
import { remotePath, sh } from '../shell/quote.ts'
import { datedListCommand, datedNames } from './dated-names.ts'
import { absoluteDir, containersServing, pickV1, type DashboardContainer } from './v1-container.ts'

/** The stack has no container for the service at all (never created, or removed). */
export class NoContainerError extends HostError {
  override name = 'NoContainerError'
}

/**
 * The dashboard on csb1 as it really is laid out (reference §3): the v2
 * service in the main Compose stack (`cd ~/docker && docker compose … nixfleet`),
 * built from the nixfleet checkout (~/docker/nixfleet), which also holds the
 * v1 backups under the plan's names.
 */
export class DashboardStack {
  constructor(
    readonly host: Host,
    readonly inventory: Inventory,
  ) {}

  /** The main stack's directory (its docker-compose.yml holds the v2 service). */
  get dir(): string {
    return this.inventory.dashboard.compose_dir
  }

  /** The nixfleet source checkout csb1 builds v2 from. */
  get checkout(): string {
    return this.inventory.dashboard.checkout
  }

  /** `cd <main stack> && <command>`; the directory is quoted, the command is the plan's text. */
  inDir(command: string): string {
    return `cd ${remotePath(this.dir).text} && ${command}`
  }

  /** `cd <nixfleet checkout> && <command>`. */
  inCheckout(command: string): string {
    return `cd ${remotePath(this.checkout).text} && ${command}`
  }

  async compose(args: string, timeout: '1m' | '5m' | '15m' = '5m'): Promise<string> {
    return this.host.succeed(this.inDir(`docker compose ${args} 2>&1`), { timeout })
  }

  /** The plan's check `docker ps | grep nixfleet`: every running container whose name or image says nixfleet. */
  async nixfleetContainers(): Promise<string[]> {
    const out = await this.host.succeed(`docker ps --format '{{.Names}} {{.Image}} {{.Status}}'`, {
      timeout: '1m',
    })
    return out.split('\n').filter((l) => /nixfleet/i.test(l))
  }

  /**
   * The v1 dashboard's container, running or stopped: what serves the
   * dashboard's name outside the main stack (`undefined` once it is gone).
   */
  async v1Container(): Promise<DashboardContainer | undefined> {
    const hostname = new URL(this.inventory.dashboard.url).hostname
    const serving = await containersServing(this.host, hostname)
    const main = await absoluteDir(this.host, this.dir, remotePath(this.dir).text)
    return pickV1(this.host.name, serving, main)
  }

  /**
   * The service's containers, stopped ones too (a stopped container is still
   * the service's, and says why it stopped). None when the main compose file
   * has no such service yet (before the deploy, after the rollback).
   */
  async serviceContainers(): Promise<string[]> {
    const svc = this.inventory.dashboard.service
    const r = await this.host.run(this.inDir(sh`docker compose ps -a -q ${svc} 2>&1`), {
      timeout: '1m',
    })
    if (r.exitCode !== 0) {
      if (/no such service/i.test(r.stdout)) return []
      throw new HostError(
        this.host.name,
        `docker compose ps in ${this.dir} failed (exit ${r.exitCode}): ${r.stdout.trim().split('\n').slice(-2).join(' | ')}`,
      )
    }
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^[0-9a-f]{12,}$/.test(l))
  }

  /** The service's container, its state and Docker health (with the last healthcheck's output). */
  async health(): Promise<{ id: string; status: string; health: string; lastCheck: string }> {
    const svc = this.inventory.dashboard.service
    const id = (await this.serviceContainers())[0] ?? ''
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

  /**
   * Local changes to tracked files in the checkout, as one line (empty when
   * clean): what a `git checkout` there would refuse or lose.
   */
  async checkoutChanges(): Promise<string> {
    const out = await this.host.succeed(
      this.inCheckout('git status --porcelain --untracked-files=no'),
      { timeout: '30s' },
    )
    return out.trim().replace(/\n/g, ' | ')
  }

  /**
   * The v1 database backups in the checkout (inventory `dashboard.backup`),
   * oldest first; a `.partial` an interrupted copy left is not one.
   */
  async backups(): Promise<string[]> {
    const pattern = this.inventory.dashboard.backup
    const out = await this.host.run(this.inCheckout(datedListCommand(pattern)), {
      timeout: '30s',
    })
    return datedNames(pattern, out.stdout.split('\n'))
  }

  /** sha256 of files in the checkout, by relative path; missing files are absent from the result. */
  async checksums(rels: string[]): Promise<Map<string, string>> {
    const out = await this.host.run(this.inCheckout(sh`sha256sum -- ${rels}`), { timeout: '2m' })
    const sums = new Map<string, string>()
    for (const line of out.stdout.split('\n')) {
      const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim())
      if (m) sums.set(m[2] as string, m[1] as string)
    }
    return sums
  }
}
