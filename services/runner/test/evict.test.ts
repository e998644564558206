import { describe, expect, test } from 'bun:test'
import { evictIdle, forgetIdle, idleThreads } from '../src/run/evict'

/** Which idle thread gives its slot up when work waits: the least recently used, one at a time. */
describe('evictIdle', () => {
  const setup = () => {
    const idle = idleThreads()
    const asked: string[] = []
    for (const [id, since] of [
      ['thr_b', 200],
      ['thr_a', 100],
      ['thr_c', 300],
    ] as const)
      idle.threads.set(id, { since, evict: () => asked.push(id) })
    return { idle, asked }
  }

  test('asks the thread idle the longest, and no other until its run ended', () => {
    const { idle, asked } = setup()
    evictIdle(idle)
    evictIdle(idle)
    expect(asked).toEqual(['thr_a'])
    forgetIdle(idle, 'thr_a')
    evictIdle(idle)
    expect(asked).toEqual(['thr_a', 'thr_b'])
  })

  test('a thread that took a prompt instead is no longer a candidate, and the next one may be asked', () => {
    const { idle, asked } = setup()
    evictIdle(idle)
    forgetIdle(idle, 'thr_a')
    forgetIdle(idle, 'thr_b')
    evictIdle(idle)
    expect(asked).toEqual(['thr_a', 'thr_c'])
  })

  test('nothing idle: nothing is asked', () => {
    const idle = idleThreads()
    evictIdle(idle)
    expect(idle.evicting).toBeUndefined()
  })
})
