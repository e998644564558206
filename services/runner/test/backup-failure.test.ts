import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type GitHubEmulator, startGitHubEmulator } from '@bosun/testkit/github/emulator'
import { type ServiceProcess, startService } from '@bosun/testkit/launcher'
import { type ScriptedModel, startScriptedModel } from '@bosun/testkit/model/server'
import { type NatsServer, startNats } from '@bosun/testkit/nats'
import { type TempDir, tempDir, waitFor } from '@bosun/testkit/wait'
import { type AicaPeer, startAicaPeer } from './peer'

/**
 * The real runner with a backup cap of one byte, so saving a changed worktree really fails; aica is
 * played by the protocol peer, which can also answer the backup RPC with an error of its own.
 */
let nats: NatsServer
let gh: GitHubEmulator
let model: ScriptedModel
let peer: AicaPeer
let runner: ServiceProcess
let data: TempDir

beforeAll(async () => {
  data = tempDir('bosun-runner-backup-')
  nats = await startNats()
  gh = await startGitHubEmulator({ seed: 'demo' })
  model = await startScriptedModel()
  peer = await startAicaPeer(nats.url)
  runner = await startService({
    name: 'runner',
    env: {
      NATS_URL: nats.urlFor('runner'),
      BOSUN_DATA_DIR: data.path,
      BOSUN_AICA_URL: peer.url,
      GITHUB_WEB_URL: gh.url,
      GITHUB_API_URL: gh.url,
      GITHUB_APP_ID: gh.app.appId,
      GITHUB_APP_PRIVATE_KEY: gh.app.privateKey,
      BOSUN_MODEL_BASE_URL: model.url,
      BOSUN_RUNNER_IDLE_MS: '4000',
      BOSUN_RUNNER_WARM: '0',
      BOSUN_RUNNER_BACKUP_MAX_BYTES: '1',
      LOG_LEVEL: 'warn',
    },
  })
}, 60_000)

afterAll(async () => {
  await runner?.stop()
  await peer?.stop()
  await model?.stop()
  await gh?.stop()
  await nats?.stop()
  data?.[Symbol.dispose]()
})

describe('runner backups that fail', () => {
  test('changes that cannot be saved keep the sandbox while idle, then fail the thread, never no_changes', async () => {
    const { work } = await peer.dispatch()
    await waitFor(() => peer.statusesOf(work.threadId).includes('idle'), 60_000, 'the thread to idle')
    const error = peer.itemsOf(work.threadId).find((i) => i.body.kind === 'error')
    expect(error?.body).toMatchObject({ kind: 'error', code: 'backup_failed' })
    expect(JSON.stringify(error?.body)).toContain(
      'changes could not be saved (backup is over the 1 byte cap)',
    )
    // The sandbox is the changes' only copy: kept while the thread idles.
    expect(existsSync(join(data.path, 'runner', 'worktrees', work.worktreeId, 'hello.txt'))).toBe(true)
    expect(peer.backups.has(work.worktreeId)).toBe(false)

    await waitFor(() => peer.statusesOf(work.threadId).includes('failed'), 60_000, 'the thread to fail')
    expect(peer.statusesOf(work.threadId)).toEqual(['starting', 'running', 'idle', 'failed'])
    const failed = peer.frames.find(
      (f) => f.threadId === work.threadId && f.frame.type === 'status' && f.frame.status === 'failed',
    )
    expect(failed?.frame).toMatchObject({ error: { code: 'backup_failed' } })
  }, 120_000)

  test("an error fetching the worktree's own backup fails the turn instead of starting clean", async () => {
    const worktreeId = `wt_fault${Date.now().toString(36)}xxxxxxxx`.slice(0, 30)
    peer.backupFaults.add(worktreeId)
    const { work } = await peer.dispatch({ worktreeId, prompt: 'Run the command `echo fault`' })
    await waitFor(() => peer.statusesOf(work.threadId).includes('failed'), 60_000, 'the thread to fail')
    const failed = peer.frames.find(
      (f) => f.threadId === work.threadId && f.frame.type === 'status' && f.frame.status === 'failed',
    )
    expect(failed?.frame).toMatchObject({ error: { code: 'restore_failed' } })
    expect(JSON.stringify(failed?.frame)).toContain('the backup store is unavailable')
    // No opencode session ran on a clean checkout.
    expect(peer.frames.some((f) => f.threadId === work.threadId && f.frame.type === 'session')).toBe(false)
  }, 120_000)
})
