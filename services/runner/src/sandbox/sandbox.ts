import { existsSync } from 'node:fs'

export type SandboxBackend = 'bwrap' | 'none'

export type Sandbox = {
  backend: SandboxBackend
  /** Said on the thread: why this backend, and what it means. */
  note: string
  /** The argv that runs `command` confined to `writable` (plus a private /tmp), with exactly `env`. */
  wrap(opts: {
    command: string[]
    writable: string
    readable: string[]
    env: Record<string, string>
  }): string[]
}

/** Read-only system paths the agent's tools (shell, git, coreutils, TLS roots, DNS) need. */
const SYSTEM_RO = ['/usr', '/etc/alternatives', '/etc/ssl', '/etc/ca-certificates', '/etc/resolv.conf']
const SYSTEM_FILES = ['/etc/passwd', '/etc/group', '/etc/hosts', '/etc/nsswitch.conf', '/etc/localtime']

function bwrapArgs(opts: {
  command: string[]
  writable: string
  readable: string[]
  env: Record<string, string>
}) {
  const args = [
    'bwrap',
    '--unshare-all',
    // The model provider is reached over the network (loopback included: the runner's model proxy).
    '--share-net',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--clearenv',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
  ]
  for (const p of SYSTEM_RO) if (existsSync(p)) args.push('--ro-bind', p, p)
  for (const p of SYSTEM_FILES) if (existsSync(p)) args.push('--ro-bind', p, p)
  // Debian is merged-/usr: the top-level directories are links into /usr.
  for (const [link, target] of [
    ['/bin', 'usr/bin'],
    ['/sbin', 'usr/sbin'],
    ['/lib', 'usr/lib'],
    ['/lib64', 'usr/lib64'],
  ] as const)
    if (existsSync(link)) args.push('--symlink', target, link)
  for (const p of opts.readable) args.push('--ro-bind', p, p)
  args.push('--bind', opts.writable, opts.writable, '--chdir', opts.writable)
  for (const [k, v] of Object.entries(opts.env)) args.push('--setenv', k, v)
  return [...args, '--', ...opts.command]
}

/** True when bubblewrap can create its namespaces here (it can't in some containers). */
export function bwrapWorks(): boolean {
  if (!Bun.which('bwrap')) return false
  const probe = Bun.spawnSync(
    bwrapArgs({ command: ['/usr/bin/true'], writable: '/tmp', readable: [], env: {} }),
    {
      stdout: 'ignore',
      stderr: 'ignore',
    },
  )
  return probe.exitCode === 0
}

/** Picks the backend once at start: bwrap when asked for or when `auto` finds it working. */
export function chooseSandbox(mode: 'auto' | 'bwrap' | 'none'): Sandbox {
  if (mode !== 'none' && bwrapWorks()) {
    return {
      backend: 'bwrap',
      note: 'bubblewrap: the worktree is the only writable path, private /tmp, no capabilities, own PID/IPC/UTS namespaces; network shared for the model provider',
      wrap: bwrapArgs,
    }
  }
  if (mode === 'bwrap') throw new Error('BOSUN_RUNNER_SANDBOX=bwrap but bubblewrap cannot run here')
  return {
    backend: 'none',
    note:
      mode === 'none'
        ? 'Unsandboxed (BOSUN_RUNNER_SANDBOX=none): the agent runs as the runner user, with a minimal environment'
        : 'Unsandboxed: bubblewrap is not installed or cannot create namespaces here; the agent runs as the runner user, with a minimal environment',
    wrap: ({ command, env }) => [
      'env',
      '-i',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      ...command,
    ],
  }
}
