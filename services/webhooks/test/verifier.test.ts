import { describe, expect, test } from 'bun:test'
import { createLogger } from '@bosun/service-kit/log'
import { sign } from '@octokit/webhooks-methods'
import { createVerifier } from '../src/ingress/verifier'

const SECRET = 'verifier-secret'
const body = JSON.stringify({
  action: 'opened',
  repository: { full_name: 'octo/x' },
  installation: { id: 5 },
})
const delivery = async (text = body) => ({
  raw: new TextEncoder().encode(text),
  signature: await sign(SECRET, text),
  kind: 'json' as const,
  deliveryId: 'd-1',
  event: 'issues',
})

describe('verifier thread', () => {
  test('verifies, parses and compresses on its own thread; refusals come back as the same errors', async () => {
    const verifier = createVerifier([SECRET], createLogger('verifier-test', 'silent'))
    try {
      const verified = await verifier.verify(await delivery())
      expect(verified.meta).toEqual({
        deliveryId: 'd-1',
        event: 'issues',
        action: 'opened',
        repository: 'octo/x',
        installationId: 5,
      })
      expect(new TextDecoder().decode(verified.json)).toBe(body)
      expect(new TextDecoder().decode(Bun.zstdDecompressSync(verified.zstd))).toBe(body)
      const forged = { ...(await delivery()), raw: new TextEncoder().encode(body.replace('octo', 'evil')) }
      const refusal = (d: Awaited<ReturnType<typeof delivery>>) =>
        verifier.verify(d).then(
          () => 'verified',
          (e) => e.code,
        )
      expect(await refusal(forged)).toBe('unauthorized')
      expect(await refusal(await delivery('[1]'))).toBe('invalid_request')
    } finally {
      verifier.close()
    }
  })

  test('a thread that dies fails what it held with 503 and is replaced', async () => {
    const script = new URL('./fixtures/dies-on-cue-worker.ts', import.meta.url)
    const verifier = createVerifier([SECRET], createLogger('verifier-test', 'silent'), script)
    try {
      const held = await verifier.verify({ ...(await delivery()), deliveryId: 'die' }).then(
        () => 'verified',
        (e) => e.code,
      )
      expect(held).toBe('unavailable')
      expect((await verifier.verify(await delivery())).meta.action).toBe('opened')
    } finally {
      verifier.close()
    }
  })
})
