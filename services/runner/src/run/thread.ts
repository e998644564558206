import type { HumanAsk } from '@bosun/contracts/permissions'
import {
  type AicaWork,
  backupRpc,
  bundleRpc,
  extraEnvRpc,
  type ItemBody,
  REVIEW_STATUSES,
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
import { sessionRules } from '../opencode/config'
import { effectiveAllow, egressNote } from '../proxy/egress-allow'
import type { Upstream } from '../proxy/model-proxy'
import { connectRelay, type RelayCommand } from '../relay/socket'
import { materializeBundle } from './bundle'
import { changeReporter } from './changes'
import { issueIn } from './drafts'
import { forgetIdle, type IdleThreads } from './evict'
import { reportFiles } from './files'
import { attachHost, forkSession, type Host, spawnSandboxed } from './host'
import { redact } from './redact'
import { createTranslator } from './translate'
import type { WarmPool } from './warm'

export type Hosts = Map<string, Promise<Host>>
/** What a runner holds across threads: its worktrees' hosts, the pre-started opencode servers, its idle threads. */
export type RunnerState = { hosts: Hosts; warm: WarmPool; idle: IdleThreads; stopping: boolean }

/** Statuses in which no runner may run the thread (a redelivered work message finds it so). */
const TERMINAL = new Set<string>(['completed', 'failed', 'stopped', 'archived', ...REVIEW_STATUSES])
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

/** One thread while it runs: its relay, what aica asked of it, and how it reports. */
type ThreadRun = {
  work: AicaWork
  threadId: string
  relay: ReturnType<typeof connectRelay>
  prompts: Array<{ text: string }>
  forks: Array<Extract<RelayCommand, { type: 'fork' }>>
  /** What the agent asked and nobody answered yet (re-sent after each welcome: aica records an ask once). */
  asked: Map<string, HumanAsk>
  answers: Array<Extract<RelayCommand, { type: 'answer' }>>
  /**
   * Requests aica still holds from this thread's previous runner (it died while they waited). When the resumed
   * agent asks the same again, it is that request: the person's answer to it goes to the new one.
   */
  resumable: Map<string, HumanAsk>
  /** Ledger request id -> the id opencode gave the same request in this run. */
  alias: Map<string, string>
  stopRequested?: string
  lost?: string
  /** The runner needs this idle thread's slot for waiting work. */
  evict?: boolean
  /** Values no item may show (extraEnv, provider key, the host's own); grows once the host is known. */
  secrets: string[]
  /** True while opencode works on a prompt. */
  busy: boolean
  /** Wakes the turn loop (a command arrived, opencode went idle). */
  kick(): void
  sleep(): Promise<void>
  status(s: RunnerStatus, error?: ThreadError): void
  item(key: string, body: ItemBody): void
  t0: number
  marks: Record<string, number>
  /** Sends the worktree's line counts to aica (set once the host is known). */
  countChanges(): Promise<void>
}

/**
 * Runs one dispatched thread to a terminal status: relay first (so every failure is told to the user),
 * then extraEnv, the host (checkout, bundle, opencode in its sandbox), the session, then turns until
 * completed, stopped or failed. The caller acks the work message when this resolves.
 */
export async function runThread(
  deps: RunnerDeps,
  state: RunnerState,
  work: AicaWork,
  delivery: { redelivered: boolean; runId: string },
): Promise<void> {
  const run = openRun(deps, work, delivery.runId)
  try {
    if (!(await greet(run, delivery.redelivered))) return
    const extra = await fetchExtraEnv(deps, run)
    const host = await hostFor(
      deps,
      state,
      work,
      upstreamFor(deps, work, extra),
      extra.env,
      run.secrets,
      run.item,
    )
    run.secrets = host.secrets
    run.countChanges = changeReporter(
      {
        sandbox: deps.sandbox,
        dir: host.dir,
        baseSha: host.baseSha,
        mirror: mirrorPath(deps.root, work.repo),
      },
      (counts) => run.relay.send({ type: 'changes', worktreeId: work.worktreeId, counts }),
      deps.logger,
    )
    run.marks.hostMs = Date.now() - run.t0
    const hostTimings = host.threads.size === 0 ? host.timings : {}
    host.threads.add(run.threadId)
    announceSandbox(deps, run, host)
    const session = await openSession(deps, run, host)
    deps.logger.info('session started', {
      threadId: run.threadId,
      worktreeId: work.worktreeId,
      dispatchLatencyMs: Date.now() - Date.parse(work.dispatchedAt),
      ...run.marks,
      host: hostTimings,
    })
    await runTurns(deps, state, run, host, session)
  } catch (err) {
    await failRun(deps, state, run, err)
  } finally {
    forgetIdle(state.idle, run.threadId)
    run.relay.close()
  }
}

/** Connects the relay and gathers what aica sends this thread (prompts, stop, forks) for the turn loop. */
function openRun(deps: RunnerDeps, work: AicaWork, runId: string): ThreadRun {
  const threadId = work.threadId
  let wake: () => void = () => {}
  const run: ThreadRun = {
    work,
    threadId,
    prompts: [],
    forks: [],
    asked: new Map(),
    answers: [],
    resumable: new Map(),
    alias: new Map(),
    secrets: [],
    busy: false,
    kick: () => wake(),
    sleep: () =>
      new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, 1000)
      }),
    relay: connectRelay({
      url: wsUrl(deps.env.BOSUN_AICA_URL, work.relayPath),
      token: work.relayToken,
      runnerId: deps.runnerId,
      runId,
      logger: deps.logger,
      onCommand(cmd) {
        if (cmd.type === 'prompt' && cmd.threadId === threadId) run.prompts.push({ text: cmd.text })
        else if (cmd.type === 'stop' && cmd.threadId === threadId) run.stopRequested = cmd.reason || 'stopped'
        else if (cmd.type === 'fork' && cmd.threadId === threadId) run.forks.push(cmd)
        else if (cmd.type === 'answer' && cmd.threadId === threadId) run.answers.push(cmd)
        run.kick()
      },
      onWelcome() {
        for (const [requestId, ask] of run.asked) run.relay.send({ type: 'ask', threadId, requestId, ask })
      },
      onLost(reason) {
        run.lost = reason
        run.kick()
      },
    }),
    status: (s, error) =>
      run.relay.send({
        type: 'status',
        threadId,
        status: s,
        ...(error ? { error: redact(error, run.secrets) } : {}),
      }),
    item: (key, body) => run.relay.item(threadId, key, redact(body, run.secrets)),
    t0: Date.now(),
    marks: {},
    countChanges: async () => {},
  }
  return run
}

/**
 * Waits for aica's welcome. False when there is nothing to run: the thread already ended, or this is a
 * redelivery of a thread whose runner died mid-run (its agent session is gone with it).
 */
async function greet(run: ThreadRun, redelivered: boolean): Promise<boolean> {
  const welcome = await Promise.race([
    run.relay.welcome,
    Bun.sleep(15_000).then(() => {
      throw new Error('no welcome from aica within 15 s')
    }),
  ])
  const known = welcome.threads.find((t) => t.threadId === run.threadId)
  if (known && TERMINAL.has(known.status)) return false
  // A thread that waited on a person when its runner died resumes: the agent runs the prompt again and its
  // repeated request is matched to the one aica kept, so the person's answer still counts.
  for (const p of known?.pending ?? []) run.resumable.set(p.requestId, p.ask)
  if (known && (known.status === 'running' || known.status === 'idle') && redelivered) {
    run.status('failed', {
      code: 'runner_lost',
      message:
        'The runner running this thread stopped unexpectedly and its agent session is gone. ' +
        "Retry the thread to run the prompt again; the worktree's last backup is kept.",
    })
    await settled(run.relay)
    return false
  }
  run.status('starting')
  run.marks.welcomeMs = Date.now() - run.t0
  return true
}

/** The person's extraEnv and the shared provider credentials, taken once from aica's memory. */
async function fetchExtraEnv(deps: RunnerDeps, run: ThreadRun) {
  const { work, threadId } = run
  const extra =
    work.hasExtraEnv || work.usesSharedCreds
      ? await deps.bus.request(extraEnvRpc, { threadId, relayToken: work.relayToken })
      : { state: 'none' as const, env: {} }
  if (extra.state === 'gone')
    throw new RunError(
      'extra_env_gone',
      'The extra environment of this dispatch is gone (aica restarted before the runner fetched it). Dispatch again.',
    )
  run.secrets = [...Object.values(extra.env), ...(extra.provider ? [extra.provider.apiKey] : [])]
  run.marks.extraEnvMs = Date.now() - run.t0
  return extra
}

/** Tells aica what confines the agent; aica records it on the worktree and as the thread's sandbox item. */
function announceSandbox(deps: RunnerDeps, run: ThreadRun, host: Host) {
  const { backend, isolatedNet } = deps.sandbox
  const note = isolatedNet ? `${deps.sandbox.note}; ${egressNote(host.egress)}` : deps.sandbox.note
  run.relay.send({ type: 'sandbox', worktreeId: run.work.worktreeId, backend, note: note.slice(0, 2000) })
}

/**
 * The thread's opencode session (a fork of its source's when this runner holds that), with the
 * translator that turns the session's events into items.
 */
async function openSession(deps: RunnerDeps, run: ThreadRun, host: Host) {
  const { work, threadId, relay } = run
  const messageOfSeq = new Map<string, string>()
  const history = new Set<string>()
  const draftTarget = issueIn(work.prompt, work.repo)
  const sessionRef: { id?: string } = {}
  const translate = createTranslator({
    threadOf: (sessionId) => (sessionId === sessionRef.id ? threadId : undefined),
    item: (_t, key, body, messageId) => {
      if (messageId) messageOfSeq.set(key, messageId)
      run.item(key, body)
    },
    delta: (_t, key, text) => relay.send({ type: 'delta', threadId, key, text: redact(text, run.secrets) }),
    fileChanges: (_t, key, files) =>
      void reportFiles(confinedTo(deps, host.dir, work.repo), key, files, run.item).then(() =>
        run.countChanges(),
      ),
    ask: (_t, opencodeId, ask) => {
      if (run.asked.has(opencodeId) || [...run.alias.values()].includes(opencodeId)) return
      const redacted = redact(ask, run.secrets)
      const same = JSON.stringify(redacted)
      const earlier = [...run.resumable].find(([, a]) => JSON.stringify(a) === same)?.[0]
      if (earlier) {
        run.resumable.delete(earlier)
        run.alias.set(earlier, opencodeId)
      }
      const requestId = earlier ?? opencodeId
      run.asked.set(requestId, redacted)
      relay.send({ type: 'ask', threadId, requestId, ask: redacted })
    },
    idle: () => {
      run.busy = false
      run.kick()
    },
    draftTarget: () => draftTarget,
    isHistory: (messageId) => history.has(messageId),
  })
  const listener = (e: OpencodeEvent) => translate(e)
  host.listeners.add(listener)

  // A fork continues a copy of the source's session when this runner holds it; aica already copied the items.
  const forked = work.forkOf
    ? (host.forked.get(threadId) ?? (await forkSession(host, work.forkOf).catch(() => undefined)))
    : undefined
  if (forked) for (const id of await host.client.messageIds(forked)) history.add(id)
  else if (work.forkOf)
    run.item(`fork:${threadId}`, {
      kind: 'error',
      code: 'fork_context_unavailable',
      message:
        "The source thread's agent session is not on this runner, so this thread starts without the earlier conversation (the worktree's files are as its latest backup left them).",
    })
  const session = forked
    ? { id: forked }
    : await host.client.createSession(work.prompt.slice(0, 80), sessionRules(work.permissions))
  sessionRef.id = session.id
  host.messageAt.set(threadId, (seq) => {
    let best: { seq: number; messageId: string } | undefined
    for (const [key, messageId] of messageOfSeq) {
      const at = relay.seqOf(key)
      if (at !== undefined && at <= seq && (!best || at > best.seq)) best = { seq: at, messageId }
    }
    return best?.messageId
  })
  run.marks.sessionMs = Date.now() - run.t0
  host.sessions.set(threadId, session.id)
  relay.send({ type: 'session', threadId, sessionId: session.id })
  return { id: session.id, listener }
}

/**
 * The first prompt, then whatever aica sends, until the thread is stopped, idles out, loses its relay or
 * crosses a sandbox limit. After each turn the worktree is backed up to aica.
 */
async function runTurns(
  deps: RunnerDeps,
  state: RunnerState,
  run: ThreadRun,
  host: Host,
  session: { id: string; listener: (e: OpencodeEvent) => void },
) {
  const { work, threadId } = run
  const agent = host.agents.has(work.agent) ? work.agent : undefined
  const turn = async (text: string) => {
    run.busy = true
    host.limits.startTurn()
    run.status('running')
    await host.client.prompt(session.id, text, host.model, agent)
  }
  const leave = async () => {
    host.threads.delete(threadId)
    host.listeners.delete(session.listener)
    if (host.threads.size === 0) await dropHost(state.hosts, work.worktreeId, host)
  }
  await turn(work.prompt)

  let idleSince = run.busy ? undefined : Date.now()
  /** Why the worktree's latest changes are in no backup (the sandbox is then their only copy). */
  let unsaved: Error | undefined
  for (;;) {
    if (run.lost) throw new RunError('relay_lost', run.lost)
    if (state.stopping)
      throw new RunError(
        'runner_stopped',
        'The runner shut down while this thread ran; retry the thread to run it again',
      )
    if (run.stopRequested) {
      await host.client.abort(session.id).catch(() => {})
      await leave()
      // No status: aica moved the thread (stopped or archived) before it asked, and a person may have retried
      // it since; a late 'stopped' from this run would stop the retry.
      await settled(run.relay)
      return
    }
    const answer = run.answers.shift()
    if (answer) {
      await applyAnswer(deps, run, host, answer)
      continue
    }
    // A turn's time limit does not run while it waits on a person.
    const crossed = await host.limits.check(run.busy && run.asked.size === 0)
    if (crossed) {
      run.item(`limit:${threadId}:${Date.now()}`, {
        kind: 'error',
        code: `limit_${crossed.limit}`,
        message: `${crossed.message}; the turn was ended and the sandbox's processes stopped.`,
      })
      throw new RunError(`limit_${crossed.limit}`, crossed.message)
    }
    const exited = await Promise.race([host.server.exited.then(() => true), Bun.sleep(0).then(() => false)])
    if (exited) throw new RunError('opencode_exit', `opencode exited unexpectedly\n${host.server.logs()}`)
    const fork = run.forks.shift()
    if (fork) {
      const copy = await forkSession(host, { threadId, atSeq: fork.atSeq }).catch(() => undefined)
      if (copy) {
        host.forked.set(fork.newThreadId, copy)
        run.relay.send({ type: 'session', threadId: fork.newThreadId, sessionId: copy })
      }
      continue
    }
    const next = run.prompts.shift()
    if (next && !run.busy) {
      forgetIdle(state.idle, threadId)
      run.evict = false
      await turn(next.text)
      idleSince = undefined
      continue
    }
    if (run.evict && !run.busy && idleSince !== undefined) {
      // Everything sent so far (the backup too) is with aica before the relay closes.
      await settled(run.relay)
      if (run.prompts.length || run.stopRequested || run.lost) continue
      // No command can arrive once the relay is closed: a later prompt finds no runner and aica queues it as
      // new work, which restores the worktree from the backup taken when the thread went idle. The thread
      // stays `idle` meanwhile.
      run.relay.close()
      await leave()
      deps.logger.info('idle thread evicted for waiting work', { threadId, worktreeId: work.worktreeId })
      return
    }
    if (!run.busy && idleSince === undefined) {
      const saved = await backup(deps, host, work, run.relay.send, run.item)
      // Counted before the gate releases the sandbox (later reads come from the backup).
      await run.countChanges()
      // A turn that changed the worktree stops at the review gate; the sandbox is released (the backup restores it).
      if (saved === 'changed') {
        await leave()
        run.status('awaiting_review')
        await settled(run.relay)
        return
      }
      // Unsaved changes keep the sandbox: the thread idles with the error and a later turn tries again.
      unsaved = saved instanceof Error ? saved : undefined
      run.status('idle')
      idleSince = Date.now()
      // Only a thread whose worktree is all in its backup may give its sandbox up for waiting work.
      if (!unsaved)
        state.idle.threads.set(threadId, {
          since: idleSince,
          evict: () => {
            run.evict = true
            run.kick()
          },
        })
    }
    if (!run.busy && idleSince !== undefined && Date.now() - idleSince >= deps.env.BOSUN_RUNNER_IDLE_MS) {
      // Never `completed` (aica's no_changes) over changes no backup holds: one last try, else failed.
      if (unsaved) {
        const saved = await backup(deps, host, work, run.relay.send, run.item)
        if (saved instanceof Error)
          throw new RunError('backup_failed', `The worktree's changes could not be saved: ${saved.message}`)
        if (saved === 'changed') {
          await leave()
          run.status('awaiting_review')
          await settled(run.relay)
          return
        }
      }
      await leave()
      run.status('completed')
      await settled(run.relay)
      return
    }
    await run.sleep()
  }
}

const REJECTED = 'The person declined this request. Do not retry it; carry on without it.'

/**
 * Hands a person's answer to opencode, then tells aica it arrived. An answer to a request this run does not
 * hold (opencode restarted since) is confirmed too, so aica stops re-sending it.
 */
async function applyAnswer(
  deps: RunnerDeps,
  run: ThreadRun,
  host: Host,
  answer: Extract<RelayCommand, { type: 'answer' }>,
) {
  const { requestId, reply } = answer
  const held = run.asked.delete(requestId)
  try {
    // A reject without a message would end the agent's turn; with one it is told and goes on.
    const opencodeId = run.alias.get(requestId) ?? requestId
    if (held && reply.kind === 'permission')
      await host.client.replyPermission(
        opencodeId,
        reply.decision,
        reply.message ?? (reply.decision === 'reject' ? REJECTED : undefined),
      )
    else if (held && reply.kind === 'question') await host.client.replyQuestion(opencodeId, reply.answers)
    else if (held) await host.client.rejectQuestion(opencodeId)
  } catch (err) {
    deps.logger.warn('answer not applied', { threadId: run.threadId, requestId, ...errorFields(err) })
  }
  // The wait is over: the turn's clock starts again.
  if (held && run.asked.size === 0) host.limits.startTurn()
  run.relay.send({ type: 'applied', threadId: run.threadId, requestId })
}

/** Tells aica why the thread failed and frees its host when no other thread uses it. */
async function failRun(deps: RunnerDeps, { hosts }: RunnerState, run: ThreadRun, err: unknown) {
  if (err instanceof RelayUnconfirmed) throw err
  const code = err instanceof RunError ? err.code : err instanceof AppError ? err.code : 'runner_error'
  deps.logger.warn('thread failed', { threadId: run.threadId, code, ...errorFields(err) })
  run.status('failed', { code, message: (err as Error).message.slice(0, 4000) })
  // The host goes before the wait for aica: a relay that is gone (an archive revokes its token) would hold
  // the sandbox, and the checkout's reads, for the whole wait.
  const host = await hosts.get(run.work.worktreeId)?.catch(() => undefined)
  if (host) {
    host.threads.delete(run.threadId)
    // A crossed limit ends the sandbox whoever else uses it: its processes are what crossed it.
    if (host.threads.size === 0 || code.startsWith('limit_')) await dropHost(hosts, run.work.worktreeId, host)
  }
  if (!(await run.relay.flush(FINAL_FLUSH_MS))) throw new RelayUnconfirmed()
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
  // The worktree's own latest backup (a later turn after review), else the one it was cloned from.
  const fetchBackup = (worktreeId: string) =>
    deps.bus.request(backupRpc, { worktreeId, relayToken: work.relayToken })
  // Only aica's not_found means "none": on any other error (timeout, aica down) a clean checkout would drop
  // earlier turns' changes, which a later approval would then publish without.
  const none = (err: unknown) => err instanceof AppError && err.code === 'not_found'
  const backup = fetchBackup(work.worktreeId)
    .catch((err) => {
      if (work.restoreFrom && none(err)) return fetchBackup(work.restoreFrom)
      throw err
    })
    .then((b) => ({ bundle: Buffer.from(b.bundle, 'base64'), baseSha: b.baseSha }))
    .catch((err) => {
      if (work.restoreFrom || !none(err))
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
  const egress = effectiveAllow(deps.egress.ceiling, work.egressAllow ?? [])
  const spare = hasEnv ? undefined : warm.take(work.repo, modelId, upstream.kind, egress)
  const starting = (async () => {
    const sandboxed =
      spare ??
      (await spawnSandboxed(deps, { repo: work.repo, name: work.worktreeId, modelId, upstream, env, egress }))
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
  void starting.then(() => warm.refill(work.repo, modelId, upstream.kind, egress)).catch(() => {})
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

/**
 * A git bundle of the worktree after a turn, sent to aica so `clone` (and a later turn) can restore it
 * elsewhere. `changed` when the turn changed the worktree since a person last saw it; the error (also said
 * on the thread) when no bundle could be made.
 */
async function backup(
  deps: RunnerDeps,
  host: Host,
  work: AicaWork,
  send: ReturnType<typeof connectRelay>['send'],
  item: (key: string, body: ItemBody) => void,
): Promise<'changed' | 'unchanged' | Error> {
  try {
    const b = await makeBackup(
      confinedTo(deps, host.dir, work.repo),
      host.baseSha,
      deps.env.BOSUN_RUNNER_BACKUP_MAX_BYTES,
    )
    if (!b) return 'unchanged'
    send({
      type: 'backup',
      worktreeId: work.worktreeId,
      ref: `bosun/${work.worktreeId}`,
      headSha: b.headSha,
      baseSha: host.baseSha,
      bundle: b.bundle.toString('base64'),
      sha256: b.sha256,
    })
    if (b.tree === host.reviewedTree) return 'unchanged'
    host.reviewedTree = b.tree
    return 'changed'
  } catch (err) {
    deps.logger.warn('backup failed', { worktreeId: work.worktreeId, ...errorFields(err) })
    const reason = err instanceof Error ? err : new Error(String(err))
    item(`backup-error:${Date.now()}`, {
      kind: 'error',
      code: 'backup_failed',
      message: `The worktree's changes could not be saved (${reason.message}). They stay in this sandbox while the thread is idle: send a message to try again (for example after removing large files); if saving still fails when the thread ends, it fails.`,
    })
    return reason
  }
}
