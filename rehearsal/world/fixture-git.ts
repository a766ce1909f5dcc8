import { execFileSync } from 'node:child_process'

/**
 * git for the fixture repositories: the fleet owner as author, and a fixed
 * date, so the fixtures' history reads like the real one in December 2025.
 */
export function fixtureGit(cwd: string, date: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Markus Barta',
      GIT_AUTHOR_EMAIL: 'markus@barta.com',
      GIT_COMMITTER_NAME: 'Markus Barta',
      GIT_COMMITTER_EMAIL: 'markus@barta.com',
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    },
  }).trim()
}
