import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'

/**
 * Generations as a Nix profile keeps them: `<profile>-<n>-link` entries and
 * `<profile>` pointing at the current one. Each holds the rendered agent
 * service (if any) and metadata; identical content makes no new generation.
 */
export interface Generation {
  number: number
  dir: string
  content: string | undefined
}

export class Profile {
  constructor(
    readonly dir: string,
    readonly name: string,
    readonly fileName: string,
  ) {
    mkdirSync(dir, { recursive: true })
  }

  all(): Generation[] {
    return readdirSync(this.dir)
      .map((f) => new RegExp(`^${this.name}-(\\d+)-link$`).exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => this.load(Number(m[1])))
      .sort((a, b) => a.number - b.number)
  }

  private load(n: number): Generation {
    const dir = join(this.dir, `${this.name}-${n}-link`)
    const f = join(dir, this.fileName)
    return { number: n, dir, content: existsSync(f) ? readFileSync(f, 'utf8') : undefined }
  }

  current(): Generation | undefined {
    const link = join(this.dir, this.name)
    if (!existsSync(link)) return undefined
    const m = /-(\d+)-link$/.exec(readlinkSync(link))
    return m ? this.load(Number(m[1])) : undefined
  }

  /**
   * Adds a generation unless it equals the current one (content and every
   * extra file); returns the (new or current) generation. Extras are further
   * files of the generation (a NixOS system's firewall rules).
   */
  commit(
    content: string | undefined,
    meta: Record<string, unknown>,
    extras: Record<string, string> = {},
  ): { generation: Generation; created: boolean } {
    const cur = this.current()
    const same = (g: Generation): boolean =>
      g.content === content &&
      Object.entries(extras).every(([f, text]) => {
        const path = join(g.dir, f)
        return existsSync(path) && readFileSync(path, 'utf8') === text
      })
    if (cur && same(cur)) return { generation: cur, created: false }
    const n = Math.max(0, ...this.all().map((g) => g.number)) + 1
    const dir = join(this.dir, `${this.name}-${n}-link`)
    mkdirSync(dir, { recursive: true })
    if (content !== undefined) writeFileSync(join(dir, this.fileName), content)
    for (const [f, text] of Object.entries(extras)) writeFileSync(join(dir, f), text)
    writeFileSync(
      join(dir, 'meta.json'),
      JSON.stringify({ ...meta, created: new Date().toISOString() }, null, 2),
    )
    this.point(n)
    return { generation: this.load(n), created: true }
  }

  point(n: number): void {
    const tmp = join(this.dir, `.${this.name}.tmp`)
    symlinkSync(`${this.name}-${n}-link`, tmp)
    renameSync(tmp, join(this.dir, this.name))
  }
}
