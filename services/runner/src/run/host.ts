import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AicaWork } from '@bosun/contracts/relay'
import type { RunnerDeps } from '../deps'
import { bundleBase, restoreBackup } from '../git/backup'
import { checkout, cloneUrl, emptyDir, ensureMirror, mirrorPath } from '../git/checkout'
import { type OpencodeClient, type OpencodeEvent, opencodeClient } from '../opencode/client'
import { OFFLINE_ENV, opencodeConfig } from '../opencode/config'
import { type OpencodeServer, startOpencode } from '../opencode/process'
import { openEgressProxy } from '../proxy/egress-proxy'
import { openModelRoute, type ProxyRoute, type Upstream } from '../proxy/model-proxy'
import { serveCheckoutReads } from '../read/serve'
import type { Cgroup } from '../sandbox/cgroup'
import { type LimitWatch, watchLimits } from '../sandbox/limits'

/** One worktree on this runner: its checkout and the opencode server its threads are sessions of. */
export type Host = {
  worktreeId: string
  repo: string
  dir: string
  /** The commit the worktree started at: its diff's base (kept here, not in the agent's checkout). */
  baseSha: string
  stateDir: string
  server: OpencodeServer
  client: OpencodeClient
  model: { providerID: string; modelID: string }
  agents: Set<string>
  /** Values that must never appear in an item: tokens, passwords, extraEnv values. */
  secrets: string[]
  listeners: Set<(e: OpencodeEvent) => void>
  threads: Set<string>
  /** Milliseconds from the start of `startHost` to each step, for the dispatch latency log. */
  timings: Record<string, number>
  /** Thread id -> its opencode session, for forks. */
  sessions: Map<string, string>
  /** Thread id -> the opencode message an item seq of it belongs to (the latest at or before it). */
  messageAt: Map<string, (seq: number) => string | undefined>
  /** Sessions forked ahead (relay `fork`) for threads whose work has not arrived yet. */
  forked: Map<string, string>
  limits: LimitWatch
  /** The tree a person last saw for review (or the restored backup's): a turn that leaves it as is changed nothing. */
  reviewedTree?: string
  /** The hosts its egress proxy tunnels to; empty: none is offered. */
  egress: string[]
  stop(): Promise<void>
}

export const PROVIDER_ID = 'bosun'

/** The proxies' ports on the sandbox's own loopback (their bridges forward them to the run's sockets). */
const MODEL_PORT = 4100
const EGRESS_PORT = 4101

export const worktreeDir = (root: string, name: string) => join(root, 'worktrees', name)

/** opencode running in its sandbox over a (still empty) folder: the half of a host that takes seconds. */
export type Sandboxed = {
  repo: string
  modelId: string
  dir: string
  stateDir: string
  server: Promise<OpencodeServer>
  route: ProxyRoute
  cgroup: Cgroup | undefined
  egress: string[]
  /** True when started without extraEnv, so any thread without extraEnv may take it. */
  plainEnv: boolean
  startedAt: number
  discard(): Promise<void>
}

/**
 * Starts opencode in the sandbox over an empty folder. opencode reads a project only on the first request
 * for it, so the checkout may be filled in afterwards; the folder and the mirror are bound into the
 * sandbox now, so both exist first and are never replaced (a bind follows the folder itself).
 */
export async function spawnSandboxed(
  deps: RunnerDeps,
  opts: {
    repo: string
    name: string
    modelId: string
    upstream: Upstream
    env: Record<string, string>
    /** Hosts the egress proxy may tunnel to (`effectiveAllow`); empty: no egress proxy. */
    egress: string[]
  },
): Promise<Sandboxed> {
  const mirror = mirrorPath(deps.root, opts.repo)
  const dir = worktreeDir(deps.root, opts.name)
  const stateDir = join(deps.root, 'state', opts.name)
  rmSync(stateDir, { recursive: true, force: true })
  mkdirSync(stateDir, { recursive: true })
  emptyDir(dir)
  mkdirSync(mirror, { recursive: true })
  // Socket paths are limited to 108 bytes, so the bridge sockets live in a short folder of their own.
  const socketDir = mkdtempSync(join(tmpdir(), 'bosun-'))
  const isolated = deps.sandbox.isolatedNet
  const route = openModelRoute(
    opts.upstream,
    isolated ? { unix: join(socketDir, 'model.sock'), insidePort: MODEL_PORT } : { tcp: true },
  )
  const egress =
    isolated && opts.egress.length
      ? openEgressProxy({
          unix: join(socketDir, 'egress.sock'),
          allow: opts.egress,
          standins: deps.egress.standins,
        })
      : undefined
  // With egress, npm's registry is the real one again (reached through the proxy when it is allowed).
  const egressEnv: Record<string, string> = egress
    ? {
        HTTPS_PROXY: `http://127.0.0.1:${EGRESS_PORT}`,
        https_proxy: `http://127.0.0.1:${EGRESS_PORT}`,
        npm_config_registry: 'https://registry.npmjs.org/',
      }
    : {}
  const cgroup = deps.cgroups?.create(opts.name, {
    pids: deps.limits.pids,
    memoryBytes: deps.limits.memoryBytes,
  })
  const config = opencodeConfig({
    providerId: PROVIDER_ID,
    modelId: opts.modelId,
    kind: opts.upstream.kind,
    baseURL: route.url,
    token: route.token,
  })
  const server = startOpencode({
    bin: deps.opencodeBin,
    sandbox: deps.sandbox,
    worktree: dir,
    readable: [mirror],
    stateDir,
    env: {
      ...opts.env,
      ...OFFLINE_ENV,
      ...egressEnv,
      OPENCODE_CONFIG_CONTENT: JSON.stringify(config),
    },
    net: isolated
      ? {
          socketDir,
          out: [
            { port: MODEL_PORT, socket: 'model.sock' },
            ...(egress ? [{ port: EGRESS_PORT, socket: 'egress.sock' }] : []),
          ],
        }
      : undefined,
    maxFileBytes: deps.limits.diskBytes,
    cgroupProcs: cgroup?.procs,
  })
  server.catch(() => {})
  return {
    repo: opts.repo,
    modelId: opts.modelId,
    dir,
    stateDir,
    server,
    route,
    cgroup,
    egress: egress ? opts.egress : [],
    plainEnv: Object.keys(opts.env).length === 0,
    startedAt: Date.now(),
    async discard() {
      await server.then((s) => s.kill()).catch(() => {})
      route.close()
      egress?.close()
      cgroup?.remove()
      rmSync(socketDir, { recursive: true, force: true })
      rmSync(dir, { recursive: true, force: true })
      rmSync(stateDir, { recursive: true, force: true })
    },
  }
}

/**
 * Makes a host of a sandboxed opencode: fetches the mirror, checks out `ref` (or restores the backup) into
 * its folder, materializes the bundle, then opens opencode's event stream, which loads the project.
 */
export async function attachHost(
  deps: RunnerDeps,
  work: AicaWork,
  sandboxed: Sandboxed,
  opts: {
    upstream: Upstream
    secrets: string[]
    backup: Promise<{ bundle: Buffer; baseSha?: string } | undefined>
    prepare(dir: string): Promise<void>
  },
): Promise<Host> {
  const t0 = Date.now()
  const timings: Record<string, number> = {}
  const mark = (name: string) => {
    timings[name] = Date.now() - t0
  }
  const { dir, stateDir } = sandboxed
  sandboxed.route.rebind(opts.upstream)
  const mirror = mirrorPath(deps.root, work.repo)
  const prepared = (async () => {
    // Fetched here, outside the sandbox, with a token that can read this one repository and nothing else.
    const token = deps.githubApp
      ? (await deps.githubApp.installationToken(work.repo, { contents: 'read' })).token
      : undefined
    await ensureMirror({
      root: deps.root,
      repo: work.repo,
      url: cloneUrl(deps.env.GITHUB_WEB_URL, work.repo),
      token,
    })
    mark('mirrorMs')
    const backup = await opts.backup
    const checkedOut = await checkout({ mirror, dir, ref: (backup && bundleBase(backup.bundle)) ?? work.ref })
    mark('checkoutMs')
    // The diff's base: what the backup recorded (the worktree's first checkout), else this checkout.
    const baseSha = backup?.baseSha ?? checkedOut
    let restoredTree: string | undefined
    if (backup) {
      const file = join(stateDir, 'restore.bundle')
      writeFileSync(file, backup.bundle)
      restoredTree = await restoreBackup(dir, file)
      rmSync(file, { force: true })
    }
    await opts.prepare(dir)
    mark('preparedMs')
    return { token, baseSha, restoredTree }
  })()
  let server: OpencodeServer
  let token: string | undefined
  let baseSha: string
  let restoredTree: string | undefined
  try {
    ;[server, { token, baseSha, restoredTree }] = await Promise.all([
      sandboxed.server.then((s) => {
        mark('listeningMs')
        return s
      }),
      prepared,
    ])
  } catch (err) {
    await sandboxed.discard()
    throw err
  }
  const client = opencodeClient(server.url, server.password, server.unix)
  const listeners = new Set<(e: OpencodeEvent) => void>()
  const events = new AbortController()
  await client.events((e) => {
    for (const l of listeners) l(e)
  }, events.signal)
  mark('eventsMs')
  const agents = new Set((await client.agents().catch(() => [])).map((a) => a.name))
  mark('agentsMs')
  const reads = serveCheckoutReads(deps, { worktreeId: work.worktreeId, dir, baseSha, repo: work.repo })
  return {
    worktreeId: work.worktreeId,
    repo: work.repo,
    dir,
    baseSha,
    stateDir,
    server,
    client,
    model: { providerID: PROVIDER_ID, modelID: sandboxed.modelId },
    agents,
    secrets: [...opts.secrets, sandboxed.route.token, server.password, ...(token ? [token] : [])],
    listeners,
    threads: new Set(),
    timings,
    sessions: new Map(),
    messageAt: new Map(),
    forked: new Map(),
    limits: watchLimits({ limits: deps.limits, cgroup: sandboxed.cgroup, dir }),
    reviewedTree: restoredTree,
    egress: sandboxed.egress,
    async stop() {
      reads.unsubscribe()
      events.abort()
      // The latest backup is with aica; a later thread of this worktree restores from it.
      await sandboxed.discard()
    },
  }
}

/**
 * Forks a thread's session so the copy holds everything up to and including item `atSeq`. opencode copies
 * the messages before the one it is given, so it is given the message after the one holding that item.
 */
export async function forkSession(host: Host, from: { threadId: string; atSeq: number }) {
  const source = host.sessions.get(from.threadId)
  if (!source) return undefined
  const upTo = host.messageAt.get(from.threadId)?.(from.atSeq)
  const ids = await host.client.messageIds(source)
  const next = upTo ? ids[ids.indexOf(upTo) + 1] : undefined
  return (await host.client.fork(source, next)).id
}
