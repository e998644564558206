import { describe, expect, test } from 'bun:test'
import { createAdmission } from '../src/ingress/admission'

/** Runs work that holds its admission until released; resolves `held` once admitted, or rejects. */
function hold(admission: ReturnType<typeof createAdmission>, bytes: number | undefined) {
  let release = () => {}
  const done = new Promise<void>((resolve) => {
    release = resolve
  })
  const running = admission.run(bytes, () => done)
  return { running, release }
}

describe('admission', () => {
  test('declared bodies share the byte budget; past it a delivery is refused at once', async () => {
    const admission = createAdmission({ deliveries: 10, bytes: 100, unsized: 1, slowMs: 60_000 })
    const big = hold(admission, 90)
    await expect(admission.run(20, async () => 'in')).rejects.toMatchObject({ code: 'unavailable' })
    expect(await admission.run(10, async () => 'fits')).toBe('fits')
    big.release()
    await big.running
    expect(await admission.run(100, async () => 'whole budget')).toBe('whole budget')
  })

  test('bodies without a Content-Length have slots of their own and never take the byte budget', async () => {
    const admission = createAdmission({ deliveries: 10, bytes: 100, unsized: 2, slowMs: 60_000 })
    const chunked = [hold(admission, undefined), hold(admission, undefined)]
    await expect(admission.run(undefined, async () => 'in')).rejects.toMatchObject({ code: 'unavailable' })
    expect(await admission.run(100, async () => 'declared')).toBe('declared')
    chunked[0]!.release()
    await chunked[0]!.running
    expect(await admission.run(undefined, async () => 'slot freed')).toBe('slot freed')
    chunked[1]!.release()
  })

  test('every delivery takes one of the slots, whatever its size', async () => {
    const admission = createAdmission({ deliveries: 2, bytes: 100, unsized: 2, slowMs: 60_000 })
    const held = [hold(admission, 1), hold(admission, undefined)]
    await expect(admission.run(1, async () => 'in')).rejects.toMatchObject({ code: 'unavailable' })
    for (const h of held) h.release()
    await Promise.all(held.map((h) => h.running))
    expect(await admission.run(1, async () => 'in')).toBe('in')
  })

  test('a body still arriving after slowMs gives its slot up to a delivery that needs it; one received keeps it', async () => {
    const admission = createAdmission({ deliveries: 2, bytes: 100, unsized: 1, slowMs: 0 })
    let signalOfSlow: AbortSignal | undefined
    let releaseSlow = () => {}
    const slow = admission.run(undefined, async (a) => {
      signalOfSlow = a.signal
      await new Promise<void>((resolve) => {
        releaseSlow = resolve
      })
      return a.signal.aborted ? 'evicted' : 'kept'
    })
    let releaseReal = () => {}
    const real = admission.run(60, async (a) => {
      a.received()
      await new Promise<void>((resolve) => {
        releaseReal = resolve
      })
      return a.signal.aborted ? 'evicted' : 'kept'
    })
    expect(admission.reading()).toBe(1)
    expect(await admission.run(30, async () => 'in')).toBe('in')
    expect(signalOfSlow?.aborted).toBe(true)
    expect(admission.reading()).toBe(0)
    await expect(admission.run(60, async () => 'no room')).rejects.toMatchObject({ code: 'unavailable' })
    releaseSlow()
    releaseReal()
    expect(await slow).toBe('evicted')
    expect(await real).toBe('kept')
  })
})
