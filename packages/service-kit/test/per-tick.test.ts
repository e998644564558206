import { expect, test } from 'bun:test'
import { perTick } from '../src/per-tick'

test('calls of one turn run as one batch; when it fails, each runs alone and only the bad one fails', async () => {
  const batches: number[][] = []
  const double = perTick(async (items: number[]) => {
    batches.push(items)
    if (items.includes(13)) throw new Error('unlucky')
    return items.map((n) => n * 2)
  })
  expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6])
  expect(batches).toEqual([[1, 2, 3]])

  batches.length = 0
  const outcomes = await Promise.allSettled([double(4), double(13), double(5)])
  expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
    8,
    'unlucky',
    10,
  ])
  expect(batches).toEqual([[4, 13, 5], [4], [13], [5]])
  // A later turn is a batch of its own.
  expect(await double(6)).toBe(12)
  expect(batches.at(-1)).toEqual([6])
})
