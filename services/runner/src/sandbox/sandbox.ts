import { existsSync } from 'node:fs'

export type SandboxBackend = 'bwrap' | 'none'

/**
 * The sandbox's ways out and in, all over Unix sockets in `socketDir` (bound at {@link SOCKET_DIR} inside):
 * `out` maps a loopback port inside to a socket a runner proxy listens on; `in` exposes a port inside (the
 * opencode server) as a socket the runner connects to. Without a network namespace there is nothing to bridge.
 */
export type SandboxNet = {
  socketDir: string
  out: Array<{ port: number; socket: string }>
  in?: { port: number; socket: string }
}

export type WrapOptions = {
  command: string[]
  writable: string
  readable: string[]
  env: Record<string, string>
  net?: SandboxNet
  /** Largest file a process inside may write (RLIMIT_FSIZE), bytes. */
  maxFileBytes?: number
  /** cgroup `cgroup.procs` files the sandbox joins before it starts (its process, memory and CPU limits). */
  cgroupProcs?: string[]
}

export type Sandbox = {
  backend: SandboxBackend
  /** True when the sandbox has its own network namespace: its only ways out are the `net` bridges. */
  isolatedNet: boolean
  /** Said on the thread: why this backend, and what it means. */
  note: string
  /** The argv that runs `command` confined to `writable` (plus a private /tmp), with exactly `env`. */
  wrap(opts: WrapOptions): string[]
}

/** Where the bridge sockets are inside the sandbox. */
export const SOCKET_DIR = '/run/bosun'

/** Read-only system paths the agent's tools (shell, git, coreutils, TLS roots) need. */
const SYSTEM_RO = ['/usr', '/etc/alternatives', '/etc/ssl', '/etc/ca-certificates']
const SYSTEM_FILES = ['/etc/passwd', '/etc/group', '/etc/hosts', '/etc/nsswitch.conf', '/etc/localtime']

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

/**
 * The bridges start before the command, inside the sandbox: each `out` port is a socat listening on the
 * sandbox's own loopback and forwarding to a runner socket; `in` is a socat listening on a socket and
 * forwarding to the command's port. The agent can stop them, which only cuts itself off.
 */
function withBridges(command: string[], net: SandboxNet): string[] {
  const lines = net.out.map(
    (b) =>
      `socat TCP-LISTEN:${b.port},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${SOCKET_DIR}/${b.socket} &`,
  )
  if (net.in)
    lines.push(`socat UNIX-LISTEN:${SOCKET_DIR}/${net.in.socket},fork TCP:127.0.0.1:${net.in.port} &`)
  return ['/bin/sh', '-c', `${lines.join('\n')}\nexec ${command.map(quote).join(' ')}`]
}

/** Joins the cgroups and sets the file size limit, then runs the rest: limits hold before anything starts. */
function limited(argv: string[], opts: WrapOptions): string[] {
  const joins = (opts.cgroupProcs ?? []).map((f) => `echo $$ > ${quote(f)}`)
  const prlimit = opts.maxFileBytes ? ['prlimit', `--fsize=${opts.maxFileBytes}`, '--'] : []
  if (!joins.length && !prlimit.length) return argv
  return ['/bin/sh', '-c', `${[...joins, 'exec "$@"'].join(' && ')}`, 'sh', ...prlimit, ...argv]
}

function bwrapArgs(opts: WrapOptions) {
  const args = [
    'bwrap',
    // Every namespace, the network's included: inside there is only a loopback of its own.
    '--unshare-all',
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
  if (opts.net) args.push('--bind', opts.net.socketDir, SOCKET_DIR)
  args.push('--bind', opts.writable, opts.writable, '--chdir', opts.writable)
  for (const [k, v] of Object.entries(opts.env)) args.push('--setenv', k, v)
  const command = opts.net ? withBridges(opts.command, opts.net) : opts.command
  return limited([...args, '--', ...command], opts)
}

/** True when bubblewrap can create its namespaces here, network included (it can't in some containers). */
export function bwrapWorks(): boolean {
  if (!Bun.which('bwrap') || !Bun.which('socat')) return false
  const probe = Bun.spawnSync(
    bwrapArgs({ command: ['/usr/bin/true'], writable: '/tmp', readable: [], env: {} }),
    { stdout: 'ignore', stderr: 'ignore' },
  )
  return probe.exitCode === 0
}

/** Picks the backend once at start: bwrap when asked for or when `auto` finds it working. */
export function chooseSandbox(mode: 'auto' | 'bwrap' | 'none'): Sandbox {
  if (mode !== 'none' && bwrapWorks()) {
    return {
      backend: 'bwrap',
      isolatedNet: true,
      note:
        "bubblewrap: own network namespace (the only ways out are the runner's proxies over Unix sockets: " +
        'the model proxy, and an egress proxy only for hosts the workspace allows; no host, service, NATS or ' +
        'GitHub port is reachable), no GitHub token or Bosun credential inside (the runner fetches the ' +
        'repository outside), the worktree is the only writable path, private /tmp, no capabilities, own ' +
        'PID/IPC/UTS namespaces',
      wrap: bwrapArgs,
    }
  }
  if (mode === 'bwrap')
    throw new Error('BOSUN_RUNNER_SANDBOX=bwrap but bubblewrap (with socat) cannot run here')
  const why =
    mode === 'none'
      ? 'Unsandboxed (BOSUN_RUNNER_SANDBOX=none)'
      : 'Unsandboxed: bubblewrap or socat is not installed, or cannot create namespaces here'
  return {
    backend: 'none',
    isolatedNet: false,
    note: `${why}: the agent runs as the runner user with the host's network (it can reach every local port), with a minimal environment and no GitHub token`,
    wrap: (opts) =>
      limited(['env', '-i', ...Object.entries(opts.env).map(([k, v]) => `${k}=${v}`), ...opts.command], opts),
  }
}
