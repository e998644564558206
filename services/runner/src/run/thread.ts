import {
  type AicaWork,
  backupRpc,
  bundleRpc,
  extraEnvRpc,
  type ItemBody,
  type RunnerStatus,
  type ThreadError,
} from '@bosun/contracts/relay'
import { AppError } from '@bosun/service-kit/errors'
import { errorFields } from '@bosun/service-kit/log'
import type { RunnerDeps } from '../deps'
import { makeBackup } from '../git/backup'
import { mirrorPath } from '../git/checkout'
import type { Confined } from '../git/confined'
import type { OpencodeEvent } from '../opencode/client'
import type { Upstream } from '../proxy/model-proxy'
import { connectRelay, type RelayCommand } from '../relay/socket'
import { materializeBundle } from './bundle'
import { issueIn } from './drafts'
import { reportFiles } from './files'
import { attachHost, forkSession, type Host, spawnSandboxed } from './host'
import { redact } from './redact'
import { createTranslator } from './translate'
import type { WarmPool } from './warm'

export type Hosts = Map<string, Promise<Host>>
/** What a runner holds across threads: its worktrees' hosts and the pre-started opencode servers. */
export type RunnerState = { hosts: Hosts; warm: WarmPool; stopping: boolean }

const TERMINAL = new Set(['completed', 'failed', 'stopped', 'archived'])
const DEFAULT_BASE: Record<string, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
}

/** Where the model calls of a thread go: shared credentials, the thread's own key, or the runner default. */
function upstreamFor(
  deps: RunnerDeps,
  work: AicaWork,
  extra: { env: Record<string, string>; provider?: { kind: string; apiKey: string; baseURL?: string } },
): Upstream {
  if (extra.provider) {
    const baseURL = extra.provider.baseURL ?? DEFAULT_BASE[extra.provider.kind]
    if (!baseURL) throw new RunError('no_provider', `No base URL known for provider ${extra.provider.kind}`)
    return { kind: extra.provider.kind, baseURL, apiKey: extra.provider.apiKey }
  }
  const ownKey = extra.env[`${work.provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`]
  const ownBase = DEFAULT_BASE[work.provider]
  if (ownKey && ownBase) return { kind: work.provider, baseURL: ownBase, apiKey: ownKey }
  if (deps.env.BOSUN_MODEL_BASE_URL)
    return {
      kind: 'openai-compatible',
      baseURL: deps.env.BOSUN_MODEL_BASE_URL,
      apiKey: deps.env.BOSUN_MODEL_API_KEY,
    }
  throw new RunError(
    'no_provider',
    `No credentials for provider ${work.provider}: set team shared credentials or pass its key in extraEnv`,
  )
}

class RunError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const wsUrl = (base: string, path: string) => `${base.replace(/^http/, 'ws').replace(/\/+$/, '')}${path}`

/**
 * Runs one dispatched thread to a terminal status: relay first (so every failure is told to the user),
 * then extraEnv, checkout, bundle and opencode, then turns until completed, stopped or failed.
 * `heartbeat` is called while it runs; the caller acks the work message when this resolves.
 */
export async function runThread(
  deps: RunnerDeps,
  state: RunnerState,
  work: AicaWork,
  delivery: { redelivered: boolean; runId: string },
): Promise<void> {
  const log = deps.logger
  const hosts = state.hosts
  const threadId = work.threadId
  let stopRequested: string | undefined
  let wake: () => void = () => {}
  const prompts: Array<{ text: string }> = []
  const forks: Array<Extract<RelayCommand, { type: 'fork' }>> = []
  let lost: string | undefined
  const kick = () => wake()

  const relay = connectRelay({
    url: wsUrl(deps.env.BOSUN_AICA_URL, work.relayPath),
    token: work.relayToken,
    runnerId: deps.runnerId,
    runId: delivery.runId,
    logger: log,
    onCommand(cmd) {
      if (cmd.type === 'prompt' && cmd.threadId === threadId) prompts.push({ text: cmd.text })
      else if (cmd.type === 'stop' && cmd.threadId === threadId) stopRequested = cmd.reason || 'stopped'
      else if (cmd.type === 'fork' && cmd.threadId === threadId) forks.push(cmd)
      kick()
    },
    onLost(reason) {
      lost = reason
      kick()
    },
  })
  let secrets: string[] = []
  const status = (s: RunnerStatus, error?: ThreadError) =>
    relay.send({ type: 'status', threadId, status: s, ...(error ? { error: redact(error, secrets) } : {}) })
  const item = (key: string, body: ItemBody) => relay.item(threadId, key, redact(body, secrets))

  const t0 = Date.now()
  const marks: Record<string, number> = {}
  try {
    const welcome = await Promise.race([
      relay.welcome,
      Bun.sleep(15_000).then(() => {
        throw new Error('no welcome from aica within 15 s')
      }),
    ])
    const known = welcome.threads.find((t) => t.threadId === threadId)
    if (known && TERMINAL.has(known.status)) return
    if (known && (known.status === 'running' || known.status === 'idle') && delivery.redelivered) {
      status('failed', {
        code: 'runner_lost',
        message:
          'The runner running this thread stopped unexpectedly and its agent session is gone. ' +
          "Retry the thread to run the prompt again; the worktree's last backup is kept.",
      })
      await settled(relay)
      return
    }
    status('starting')
    marks.welcomeMs = Date.now() - t0

    const extra =
      work.hasExtraEnv || work.usesSharedCreds
        ? await deps.bus.request(extraEnvRpc, { threadId, relayToken: work.relayToken })
        : { state: 'none' as const, env: {} }
    if (extra.state === 'gone')
      throw new RunError(
        'extra_env_gone',
        'The extra environment of this dispatch is gone (aica restarted before the runner fetched it). Dispatch again.',
      )
    secrets = [...Object.values(extra.env), ...(extra.provider ? [extra.provider.apiKey] : [])]
    const upstream = upstreamFor(deps, work, extra)

    marks.extraEnvMs = Date.now() - t0
    const host = await hostFor(deps, state, work, upstream, extra.env, secrets, (key, body) =>
      item(key, body),
    )
    secrets = host.secrets
    marks.hostMs = Date.now() - t0
    const hostTimings = host.threads.size === 0 ? host.timings : {}
    host.threads.add(threadId)
    relay.send({
      type: 'sandbox',
      worktreeId: work.worktreeId,
      backend: deps.sandbox.backend,
      note: deps.sandbox.note,
    })
    item(`sandbox:${work.worktreeId}`, {
      kind: 'sandbox',
      backend: deps.sandbox.backend,
      note: deps.sandbox.note,
    })

    let busy = false
    const messageOfSeq = new Map<string, string>()
    const history = new Set<string>()
    const draftTarget = issueIn(work.prompt, work.repo)
    const translate = createTranslator({
      threadOf: (sessionId) => (sessionId === sessionRef.id ? threadId : undefined),
      item: (_t, key, body, messageId) => {
        if (messageId) messageOfSeq.set(key, messageId)
        item(key, body)
      },
      delta: (_t, key, text) => relay.send({ type: 'delta', threadId, key, text: redact(text, secrets) }),
      fileChanges: (_t, key, files) =>
        void reportFiles(confinedTo(deps, host.dir, work.repo), key, files, item),
      permission: (_t, requestId) =>
        void host.client
          .replyPermission(requestId, 'reject', 'Nobody can approve this in a dispatched run')
          .catch(() => {}),
      idle: () => {
        busy = false
        kick()
      },
      draftTarget: () => draftTarget,
      isHistory: (messageId) => history.has(messageId),
    })
    const listener = (e: OpencodeEvent) => translate(e)
    const sessionRef: { id?: string } = {}
    host.listeners.add(listener)

    // A fork continues a copy of the source's session when this runner holds it; aica already copied the items.
    const forked = work.forkOf
      ? (host.forked.get(threadId) ?? (await forkSession(host, work.forkOf).catch(() => undefined)))
      : undefined
    if (forked) for (const id of await host.client.messageIds(forked)) history.add(id)
    else if (work.forkOf)
      item(`fork:${threadId}`, {
        kind: 'error',
        code: 'fork_context_unavailable',
        message:
          "The source thread's agent session is not on this runner, so this thread starts without the earlier conversation (the worktree's files are as its latest backup left them).",
      })
    const session = forked ? { id: forked } : await host.client.createSession(work.prompt.slice(0, 80))
    sessionRef.id = session.id
    host.messageAt.set(threadId, (seq) => {
      let best: { seq: number; messageId: string } | undefined
      for (const [key, messageId] of messageOfSeq) {
        const at = relay.seqOf(key)
        if (at !== undefined && at <= seq && (!best || at > best.seq)) best = { seq: at, messageId }
      }
      return best?.messageId
    })
    marks.sessionMs = Date.now() - t0
    host.sessions.set(threadId, session.id)
    relay.send({ type: 'session', threadId, sessionId: session.id })
    const latency = Date.now() - Date.parse(work.dispatchedAt)
    // Where the time went, cumulative from taking the message: relay welcome, extraEnv, checkout + opencode start.
    log.info('session started', {
      threadId,
      worktreeId: work.worktreeId,
      dispatchLatencyMs: latency,
      ...marks,
      host: hostTimings,
    })

    const agent = host.agents.has(work.agent) ? work.agent : undefined
    const turn = async (text: string) => {
      busy = true
      status('running')
      await host.client.prompt(session.id, text, host.model, agent)
    }
    await turn(work.prompt)

    let idleSince = busy ? undefined : Date.now()
    for (;;) {
      if (lost) throw new RunError('relay_lost', lost)
      if (state.stopping)
        throw new RunError(
          'runner_stopped',
          'The runner shut down while this thread ran; retry the thread to run it again',
        )
      if (stopRequested) {
        await host.client.abort(session.id).catch(() => {})
        host.threads.delete(threadId)
        if (host.threads.size === 0) await dropHost(hosts, work.worktreeId, host)
        status('stopped')
        await settled(relay)
        return
      }
      const exited = await Promise.race([host.server.exited.then(() => true), Bun.sleep(0).then(() => false)])
      if (exited) throw new RunError('opencode_exit', `opencode exited unexpectedly\n${host.server.logs()}`)
      const fork = forks.shift()
      if (fork) {
        const copy = await forkSession(host, { threadId, atSeq: fork.atSeq }).catch(() => undefined)
        if (copy) {
          host.forked.set(fork.newThreadId, copy)
          relay.send({ type: 'session', threadId: fork.newThreadId, sessionId: copy })
        }
        continue
      }
      const next = prompts.shift()
      if (next && !busy) {
        await turn(next.text)
        idleSince = undefined
        continue
      }
      if (!busy && idleSince === undefined) {
        await backup(deps, host, work, relay.send, item)
        status('idle')
        idleSince = Date.now()
      }
      if (!busy && idleSince !== undefined && Date.now() - idleSince >= deps.env.BOSUN_RUNNER_IDLE_MS) {
        host.threads.delete(threadId)
        host.listeners.delete(listener)
        if (host.threads.size === 0) await dropHost(hosts, work.worktreeId, host)
        status('completed')
        await settled(relay)
        return
      }
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, 1000)
      })
    }
  } catch (err) {
    if (err instanceof RelayUnconfirmed) throw err
    const code = err instanceof RunError ? err.code : err instanceof AppError ? err.code : 'runner_error'
    log.warn('thread failed', { threadId, code, ...errorFields(err) })
    status('failed', { code, message: (err as Error).message.slice(0, 4000) })
    const told = await relay.flush(FINAL_FLUSH_MS)
    const host = await hosts.get(work.worktreeId)?.catch(() => undefined)
    if (host) {
      host.threads.delete(threadId)
      if (host.threads.size === 0) await dropHost(hosts, work.worktreeId, host)
    }
    if (!told) throw new RelayUnconfirmed()
  } finally {
    relay.close()
  }
}

/** How long a thread's last status may wait for aica (a restart in between included). */
const FINAL_FLUSH_MS = 30_000

/**
 * aica never confirmed the thread's last status (unreachable, or the socket dropped for good). The work
 * message is then not acked: it is redelivered, and the runner that takes it ends the thread from what
 * aica holds, or JetStream gives up and aica fails it as runner_lost. Acking would leave it `running`.
 */
class RelayUnconfirmed extends Error {
  constructor() {
    super("aica did not confirm the thread's final status")
  }
}

async function settled(relay: { flush(timeoutMs?: number): Promise<boolean> }) {
  if (!(await relay.flush(FINAL_FLUSH_MS))) throw new RelayUnconfirmed()
}

/** Reuses this worktree's host or starts one; two threads of one worktree never start two. */
async function hostFor(
  deps: RunnerDeps,
  { hosts, warm }: RunnerState,
  work: AicaWork,
  upstream: Upstream,
  env: Record<string, string>,
  secrets: string[],
  item: (key: string, body: ItemBody) => void,
): Promise<Host> {
  const existing = hosts.get(work.worktreeId)
  if (existing) {
    const host = await existing.catch(() => undefined)
    if (host && (await Promise.race([host.server.exited.then(() => false), Bun.sleep(0).then(() => true)])))
      return host
  }
  // The RPCs run while the mirror is fetched and opencode starts.
  const source = work.restoreFrom ?? work.worktreeId
  const backup = deps.bus
    .request(backupRpc, { worktreeId: source, relayToken: work.relayToken })
    .then((b) => ({ bundle: Buffer.from(b.bundle, 'base64') }))
    .catch((err) => {
      if (work.restoreFrom)
        throw new RunError('restore_failed', `No backup to restore: ${(err as Error).message}`)
      return undefined
    })
  const bundle = deps.bus
    .request(bundleRpc, {
      workspaceId: work.workspaceId,
      digest: work.bundleDigest,
      relayToken: work.relayToken,
    })
    .catch((err) => {
      item(`bundle:${work.bundleDigest}`, {
        kind: 'error',
        code: 'bundle_unavailable',
        message: `The AICA bundle could not be fetched; running without it (${(err as Error).message})`,
      })
      return undefined
    })
  backup.catch(() => {})
  const modelId = work.model || deps.env.BOSUN_MODEL_ID
  const hasEnv = Object.keys(env).length > 0
  const spare = hasEnv ? undefined : warm.take(work.repo, modelId, upstream.kind)
  const starting = (async () => {
    const sandboxed =
      spare ??
      (await spawnSandboxed(deps, { repo: work.repo, name: work.worktreeId, modelId, upstream, env }))
    return attachHost(deps, work, sandboxed, {
      upstream,
      secrets,
      backup,
      prepare: async (dir) => {
        const got = await bundle
        if (!got) return
        const { refused } = materializeBundle(dir, got.items)
        if (refused.length)
          item(`bundle-refused:${work.bundleDigest}`, {
            kind: 'error',
            code: 'bundle_path_refused',
            message: `Bundle items with unsafe paths were skipped: ${refused.join(', ').slice(0, 3000)}`,
          })
      },
    })
  })()
  hosts.set(work.worktreeId, starting)
  starting.catch(() => hosts.delete(work.worktreeId))
  // The next thread on this repository finds opencode already started.
  void starting.then(() => warm.refill(work.repo, modelId, upstream.kind)).catch(() => {})
  return starting
}

/** The worktree as the sandbox sees it: host-side reads and git there would obey the agent's files. */
const confinedTo = (deps: RunnerDeps, dir: string, repo: string): Confined => ({
  sandbox: deps.sandbox,
  dir,
  readable: [mirrorPath(deps.root, repo)],
})

async function dropHost(hosts: Hosts, worktreeId: string, host: Host) {
  hosts.delete(worktreeId)
  await host.stop()
}

/** A git bundle of the worktree after a turn, sent to aica so `clone` can restore it elsewhere. */
async function backup(
  deps: RunnerDeps,
  host: Host,
  work: AicaWork,
  send: ReturnType<typeof connectRelay>['send'],
  item: (key: string, body: ItemBody) => void,
) {
  try {
    const b = await makeBackup(confinedTo(deps, host.dir, work.repo))
    if (!b) return
    send({
      type: 'backup',
      worktreeId: work.worktreeId,
      ref: `bosun/${work.worktreeId}`,
      headSha: b.headSha,
      bundle: b.bundle.toString('base64'),
      sha256: b.sha256,
    })
  } catch (err) {
    deps.logger.warn('backup failed', { worktreeId: work.worktreeId, ...errorFields(err) })
    item(`backup-error:${Date.now()}`, {
      kind: 'error',
      code: 'backup_failed',
      message: (err as Error).message,
    })
  }
}
