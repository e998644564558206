import type { ExtraEnv } from '@bosun/contracts/aica'
import { ExtraEnv as ExtraEnvSchema, ExtraEnvTake } from '@bosun/contracts/aica'
import type { Bus } from '@bosun/service-kit/bus'
import { parseValid } from '@bosun/service-kit/validate'
import type { AicaDeps } from '../deps'
import type { ExtraEnvStore } from './extra-env'

const subject = (bus: Pick<Bus, 'subjects'>) => bus.subjects.rt('aica', 'extra-env-take')

/**
 * extraEnv lives in the memory of the instance that took the dispatch; the runner's request may reach
 * another instance, which asks its peers (only the holder answers) before saying it is gone.
 */
export function serveHandOver(bus: Bus, store: ExtraEnvStore) {
  const sub = bus.onLive(subject(bus), ExtraEnvTake, ({ threadId }, m) => {
    const env = store.take(threadId)
    if (env) m.respond(JSON.stringify(env))
  })
  return () => sub.unsubscribe()
}

export async function takeExtraEnv(deps: AicaDeps, threadId: string): Promise<ExtraEnv | undefined> {
  const local = deps.extraEnv.take(threadId)
  if (local) return local
  try {
    const reply = await deps.bus.nc.request(subject(deps.bus), JSON.stringify({ threadId }), {
      timeout: 1000,
    })
    return parseValid(ExtraEnvSchema, reply.data)
  } catch {
    return undefined
  }
}
