import { readFileSync, rmdirSync } from 'node:fs'

export const readNumber = (file: string, key?: string) => {
  const text = readFileSync(file, 'utf8')
  if (!key) return Number(text.trim())
  const line = text.split('\n').find((l) => l.startsWith(`${key} `))
  return line ? Number(line.slice(key.length + 1)) : 0
}

/** Kills every process listed in a cgroup's `cgroup.procs`. */
export function killAll(procs: string) {
  try {
    for (const pid of readFileSync(procs, 'utf8').split('\n').filter(Boolean))
      process.kill(Number(pid), 'SIGKILL')
  } catch {
    // Gone already.
  }
}

/** Removes empty cgroup folders, once more a second later for a killed process not reaped yet. */
export function removeDirs(dirs: string[]) {
  for (const dir of dirs) {
    try {
      rmdirSync(dir)
    } catch {
      setTimeout(() => {
        try {
          rmdirSync(dir)
        } catch {}
      }, 1000)
    }
  }
}
