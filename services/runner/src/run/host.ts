import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AicaWork } from '@bosun/contracts/relay'
import type { RunnerDeps } from '../deps'
import { restoreBackup } from '../git/backup'
import { checkout, cloneUrl, emptyDir, ensureMirror, mirrorPath } from '../git/checkout'
import { type OpencodeClient, type OpencodeEvent, opencodeClient } from '../opencode/client'
import { OFFLINE_ENV, opencodeConfig } from '../opencode/config'
import { type OpencodeServer, startOpencode } from '../opencode/process'
import type { Upstream } from '../proxy/model-proxy'

/** One worktree on this runner: its checkout and the opencode server its threads are sessions of. */
export type Host = {
  worktreeId: string
  dir: string
  stateDir: string
  server: OpencodeServer
  client: OpencodeClient
  model: { providerID: string; modelID: string }
  agents: Set<string>
  /** Values that must never appear in an item: tokens, passwords, extraEnv values. */
  secrets: string[]
  listeners: Set<(e: OpencodeEvent) => void>
  threads: Set<string>
  /** Thread id -> its opencode session, for forks. */
  sessions: Map<string, string>
  stop(): Promise<void>
}

export const PROVIDER_ID = 'bosun'

export const worktreeDir = (root: string, worktreeId: string) => join(root, 'worktrees', worktreeId)

/**
 * Prepares the checkout (a restored backup when there is one, else `ref` from the cached mirror) and
 * starts opencode in the sandbox, its events fanned out to the threads' listeners. opencode starts while
 * git works: it reads a project only on the first request for it, which comes after the checkout.
 */
export async function startHost(
  deps: RunnerDeps,
  work: AicaWork,
  opts: {
    upstream: Upstream
    env: Record<string, string>
    secrets: string[]
    backup: Promise<{ bundle: Buffer } | undefined>
    prepare(dir: string): Promise<void>
  },
): Promise<Host> {
  const token = deps.githubApp ? (await deps.githubApp.installationToken(work.repo)).token : undefined
  const mirror = mirrorPath(deps.root, work.repo)
  const dir = worktreeDir(deps.root, work.worktreeId)
  const stateDir = join(deps.root, 'state', work.worktreeId)
  rmSync(stateDir, { recursive: true, force: true })
  mkdirSync(stateDir, { recursive: true })
  // Both are bound into the sandbox before git fills them, so they exist first and are never replaced.
  emptyDir(dir)
  mkdirSync(mirror, { recursive: true })

  const proxyToken = deps.proxy.open(opts.upstream)
  const model = { providerID: PROVIDER_ID, modelID: work.model || deps.env.BOSUN_MODEL_ID }
  const config = opencodeConfig({
    providerId: PROVIDER_ID,
    modelId: model.modelID,
    kind: opts.upstream.kind,
    baseURL: deps.proxy.url,
    token: proxyToken,
  })
  const ghEnv: Record<string, string> = token ? { GH_TOKEN: token, GITHUB_TOKEN: token } : {}
  const serverP = startOpencode({
    bin: deps.opencodeBin,
    sandbox: deps.sandbox,
    worktree: dir,
    readable: [mirror],
    stateDir,
    env: { ...opts.env, ...ghEnv, ...OFFLINE_ENV, OPENCODE_CONFIG_CONTENT: JSON.stringify(config) },
  })
  const prepared = (async () => {
    await ensureMirror({
      root: deps.root,
      repo: work.repo,
      url: cloneUrl(deps.env.GITHUB_WEB_URL, work.repo),
      token,
    })
    await checkout({ mirror, dir, ref: work.ref })
    const backup = await opts.backup
    if (backup) {
      const file = join(stateDir, 'restore.bundle')
      writeFileSync(file, backup.bundle)
      await restoreBackup(dir, file)
      rmSync(file, { force: true })
    }
    await opts.prepare(dir)
  })()
  let server: OpencodeServer
  try {
    ;[server] = await Promise.all([serverP, prepared])
  } catch (err) {
    deps.proxy.close(proxyToken)
    await serverP.then((s) => s.kill()).catch(() => {})
    throw err
  }
  const client = opencodeClient(server.url, server.password)
  const listeners = new Set<(e: OpencodeEvent) => void>()
  const events = new AbortController()
  await client.events((e) => {
    for (const l of listeners) l(e)
  }, events.signal)
  const agents = new Set((await client.agents().catch(() => [])).map((a) => a.name))
  return {
    worktreeId: work.worktreeId,
    dir,
    stateDir,
    server,
    client,
    model,
    agents,
    secrets: [...opts.secrets, proxyToken, server.password, ...(token ? [token] : [])],
    listeners,
    threads: new Set(),
    sessions: new Map(),
    async stop() {
      events.abort()
      await server.kill()
      deps.proxy.close(proxyToken)
      // The latest backup is with aica; a later thread of this worktree restores from it.
      rmSync(dir, { recursive: true, force: true })
      rmSync(stateDir, { recursive: true, force: true })
    },
  }
}
