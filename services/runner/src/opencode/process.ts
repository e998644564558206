import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Sandbox, SandboxNet } from '../sandbox/sandbox'

/** The pinned opencode binary: the platform package opencode-ai installs, or the launcher it replaces. */
export function resolveOpencodeBin(): string {
  const pkg = dirname(Bun.resolveSync('opencode-ai/package.json', import.meta.dir))
  const arch = process.arch === 'x64' ? 'x64' : process.arch
  try {
    const platform = dirname(Bun.resolveSync(`opencode-${process.platform}-${arch}/package.json`, pkg))
    const bin = join(platform, 'bin', 'opencode')
    if (existsSync(bin)) return bin
  } catch {
    // Fall through to the launcher, which postinstall replaces with the binary itself.
  }
  const launcher = join(pkg, 'bin', 'opencode.exe')
  if (existsSync(launcher) && statSync(launcher).size > 1_000_000) return launcher
  throw new Error('opencode binary not found: is opencode-ai installed for this platform?')
}

export type OpencodeServer = {
  url: string
  /** The socket the runner reaches opencode through when the sandbox has its own network. */
  unix?: string
  password: string
  pid: number
  /** Ends opencode and every process it started (its whole group / PID namespace). */
  kill(): Promise<void>
  exited: Promise<number>
  /** Recent output lines, for failure messages (secrets are not printed by opencode at WARN). */
  logs(): string
}

const LISTENING = /listening on (http:\/\/[^\s]+)/

/** opencode's port inside a sandbox with its own network namespace (nothing else listens there). */
const INSIDE_PORT = 4096
const O_PATH = 0o10000000

/**
 * Holds the bridge's socket by an O_PATH descriptor, checked to be a socket and not a link. The agent can
 * write the socket folder: a name swapped for a link later would point the runner's requests at any socket
 * of the host, but `/proc/self/fd/<fd>` keeps reaching this one.
 */
function pinSocket(path: string): { path: string; close(): void } | undefined {
  try {
    if (!lstatSync(path).isSocket()) return undefined
    const fd = openSync(path, O_PATH | constants.O_NOFOLLOW)
    return { path: `/proc/self/fd/${fd}`, close: () => closeSync(fd) }
  } catch {
    return undefined
  }
}

/**
 * Starts `opencode serve` on loopback inside the sandbox, in its own session and process group, with a
 * per-run password, and resolves once it prints the address it listens on.
 */
export async function startOpencode(opts: {
  bin: string
  sandbox: Sandbox
  worktree: string
  /** Paths the agent may read besides the system (the mirror its checkout borrows objects from). */
  readable: string[]
  /** HOME for the unsandboxed backend; bwrap uses a HOME in its private /tmp. */
  stateDir: string
  env: Record<string, string>
  /** The sandbox's bridges out (the model proxy); opencode's own way in is added here. */
  net?: SandboxNet
  maxFileBytes?: number
  cgroupProcs?: string[]
  timeoutMs?: number
}): Promise<OpencodeServer> {
  const password = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')
  const home = opts.sandbox.backend === 'bwrap' ? '/tmp/home' : opts.stateDir
  if (opts.sandbox.backend !== 'bwrap') mkdirSync(home, { recursive: true })
  const env = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    ...opts.env,
    OPENCODE_SERVER_PASSWORD: password,
  }
  const net = opts.net && { ...opts.net, in: { port: INSIDE_PORT, socket: 'opencode.sock' } }
  const port = net ? String(INSIDE_PORT) : '0'
  const argv = opts.sandbox.wrap({
    command: [opts.bin, 'serve', '--port', port, '--hostname', '127.0.0.1', '--log-level', 'WARN'],
    writable: opts.worktree,
    readable: [opts.bin, ...opts.readable],
    env,
    net,
    maxFileBytes: opts.maxFileBytes,
    cgroupProcs: opts.cgroupProcs,
  })
  const proc = Bun.spawn(argv, {
    cwd: opts.worktree,
    env: {},
    detached: true,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const lines: string[] = []
  const keep = (text: string) => {
    lines.push(...text.split('\n').filter(Boolean))
    if (lines.length > 200) lines.splice(0, lines.length - 200)
  }
  let resolveUrl: (url: string) => void = () => {}
  const url = new Promise<string>((resolve) => {
    resolveUrl = resolve
  })
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) {
      const text = decoder.decode(chunk)
      keep(text)
      const m = text.match(LISTENING)
      if (m) resolveUrl(m[1]!)
    }
  }
  void pump(proc.stdout)
  void pump(proc.stderr)

  let pinned: { path: string; close(): void } | undefined
  const kill = async () => {
    try {
      process.kill(-proc.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
    await proc.exited
    pinned?.close()
  }
  let gone = false
  void proc.exited.then(() => {
    gone = true
  })
  // Listening inside is not yet reachable from here: the bridge's socket must be there too.
  const reachable = net
    ? url.then(async (at) => {
        const socket = join(net.socketDir, net.in.socket)
        while (!gone) {
          pinned = pinSocket(socket)
          if (pinned) return at
          await Bun.sleep(20)
        }
        return new Error('opencode exited before its socket appeared')
      })
    : url
  const timeout = opts.timeoutMs ?? 30_000
  const started = await Promise.race([
    reachable,
    proc.exited.then((code) => new Error(`opencode exited with ${code} before listening`)),
    Bun.sleep(timeout).then(() => new Error(`opencode did not listen within ${timeout} ms`)),
  ])
  if (started instanceof Error) {
    await kill()
    throw new Error(`${started.message}\n${lines.slice(-20).join('\n')}`)
  }
  return {
    url: started,
    unix: pinned?.path,
    password,
    pid: proc.pid,
    kill,
    exited: proc.exited,
    logs: () => lines.join('\n'),
  }
}
