import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * Runbook files are phases: they must run in path order (specs/phase1… before
 * specs/phase2…). Vitest's default sequencer puts new, failed and slow files
 * first, which would reorder the migration, so sort by module path instead.
 */
export class PathOrderSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return Promise.resolve([...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId)))
  }

  override shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    return Promise.resolve(files)
  }
}
