import { describe, expect, test } from 'bun:test'
import { storedZstdFrame } from '../src/zstd-stored'

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) % 251)

describe('storedZstdFrame', () => {
  test.each([0, 1, 255, 256, 4096, 128 * 1024, 300_000])('%i bytes read back as they were', (n) => {
    const input = bytes(n)
    const frame = storedZstdFrame(input)
    expect(new Uint8Array(Bun.zstdDecompressSync(frame))).toEqual(input)
    // Raw blocks: the frame is the bytes plus a few bytes of headers, never compressed.
    expect(frame.byteLength).toBe(9 + 3 * Math.max(1, Math.ceil(n / (128 * 1024))) + n)
  })

  test('the zstd command reads it, next to a compressed frame, as one stream', async () => {
    const head = new TextEncoder().encode('{"head":')
    const body = new TextEncoder().encode(JSON.stringify({ list: Array.from({ length: 500 }, (_, i) => i) }))
    const joined = new Uint8Array([
      ...storedZstdFrame(head),
      ...Bun.zstdCompressSync(body),
      ...storedZstdFrame(head),
    ])
    const zstd = Bun.which('zstd')
    if (zstd) {
      const proc = Bun.spawn([zstd, '-d', '-c'], { stdin: joined, stdout: 'pipe' })
      expect(await new Response(proc.stdout).text()).toBe(`{"head":${new TextDecoder().decode(body)}{"head":`)
      expect(await proc.exited).toBe(0)
    }
    expect(new TextDecoder().decode(Bun.zstdDecompressSync(joined))).toBe(
      `{"head":${new TextDecoder().decode(body)}{"head":`,
    )
  })
})
