import { describe, expect, test } from 'bun:test'
import { generateKeyPairSync } from 'node:crypto'
import { openReply, parseReplyKey, replyKeyPair, sealReply } from '../src/sealed-reply'

const text = new TextEncoder().encode('{"env":{"MY_TOKEN":"secret-value"}}')

describe('sealed replies', () => {
  test('only the key pair the requester made opens the answer', () => {
    const mine = replyKeyPair()
    const sealed = sealReply(parseReplyKey(mine.publicKey)!, text)
    expect(Buffer.from(sealed).toString('latin1')).not.toContain('secret-value')
    expect(new TextDecoder().decode(openReply(mine.privateKey, sealed))).toBe(new TextDecoder().decode(text))
    expect(() => openReply(replyKeyPair().privateKey, sealed)).toThrow()
  })

  test('an altered answer does not open; two seals of one answer differ', () => {
    const mine = replyKeyPair()
    const key = parseReplyKey(mine.publicKey)!
    const sealed = sealReply(key, text)
    const altered = Buffer.from(sealed)
    altered[altered.length - 1]! ^= 1
    expect(() => openReply(mine.privateKey, altered)).toThrow()
    expect(Buffer.from(sealReply(key, text)).equals(Buffer.from(sealed))).toBe(false)
  })

  test('a header that is not an X25519 public key is refused', () => {
    expect(parseReplyKey(undefined)).toBeUndefined()
    expect(parseReplyKey('not base64 at all')).toBeUndefined()
    const { publicKey } = generateKeyPairSync('ed25519')
    expect(
      parseReplyKey(publicKey.export({ type: 'spki', format: 'der' }).toString('base64')),
    ).toBeUndefined()
  })
})
