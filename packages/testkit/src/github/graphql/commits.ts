import { gitEnv } from '../git'
import type { GhRepo } from '../state'

/**
 * Commit dates by sha, read from git in one `git log --no-walk` per batch of shas a query asks for together
 * (a page of 100 pull requests is one process, not 100), and kept: a commit never changes.
 */
export function createCommitDates() {
  const known = new Map<string, string | null>()
  const waiting = new Map<GhRepo, Map<string, Array<(d: string | null) => void>>>()
  let scheduled = false

  const flush = () => {
    scheduled = false
    const batches = [...waiting.entries()]
    waiting.clear()
    for (const [repo, shas] of batches) {
      const res = Bun.spawnSync(['git', 'log', '--no-walk=unsorted', '--format=%H %cI', ...shas.keys()], {
        cwd: repo.gitDir,
        env: gitEnv(),
      })
      const dates = new Map(
        res.stdout
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((line) => {
            const [sha, date] = line.split(' ') as [string, string]
            return [sha, new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z')] as const
          }),
      )
      for (const [sha, resolvers] of shas) {
        const date = dates.get(sha) ?? null
        if (date) known.set(`${repo.gitDir}|${sha}`, date)
        for (const resolve of resolvers) resolve(date)
      }
    }
  }

  return (repo: GhRepo, sha: string): Promise<string | null> => {
    const hit = known.get(`${repo.gitDir}|${sha}`)
    if (hit !== undefined) return Promise.resolve(hit)
    return new Promise((resolve) => {
      let shas = waiting.get(repo)
      if (!shas) {
        shas = new Map()
        waiting.set(repo, shas)
      }
      shas.set(sha, [...(shas.get(sha) ?? []), resolve])
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    })
  }
}
