import type { Target } from '../config/target.ts'
import { readSecret } from '../secrets/secrets.ts'
import { DashboardError, type DashboardClient } from './client.ts'
import { dashboardClient } from './dashboard-access.ts'

/**
 * One logged-in dashboard session shared by a spec's checks. A refused login
 * is remembered and not tried again: the dashboard rate-limits logins (5 per
 * minute), and hammering it would lock the operator out and turn every later
 * message into "too many attempts" instead of the real reason.
 */
export class DashboardSession {
  private client: DashboardClient | undefined
  private refused: DashboardError | undefined

  constructor(
    private readonly target: Target,
    private readonly url: string,
  ) {}

  async get(): Promise<DashboardClient> {
    if (this.refused)
      throw new DashboardError(`${this.refused.message} (earlier in this run; not retried)`)
    if (this.client?.loggedIn) return this.client
    await this.client?.close()
    this.client = dashboardClient(this.target, this.url)
    try {
      await this.client.login(readSecret('dashboardPassword'), readSecret('totpSecret'))
    } catch (err) {
      if (err instanceof DashboardError && /refused/.test(err.message)) this.refused = err
      throw err
    }
    return this.client
  }

  async close(): Promise<void> {
    await this.client?.close()
  }
}
