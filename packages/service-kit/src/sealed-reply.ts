import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto'

/**
 * Answers that carry a secret (extraEnv, a person's GitHub token) are encrypted to a key the requester
 * makes for that one request: X25519 with a key of the answerer's own, HKDF-SHA256, AES-256-GCM. Whoever
 * else can subscribe to the requester's inbox (every instance of a service shares its NATS user) sees
 * only ciphertext.
 */
export const REPLY_KEY_HEADER = 'Bosun-Reply-Key'
const INFO = 'bosun sealed reply v1'
const SPKI_LENGTH = 44
const IV_LENGTH = 12
const TAG_LENGTH = 16

const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' })
const keyOf = (shared: Buffer, salt: Buffer) => Buffer.from(hkdfSync('sha256', shared, salt, INFO, 32))

/** A key pair for one request: send `publicKey` (base64) in the request's header, keep `privateKey`. */
export function replyKeyPair(): { publicKey: string; privateKey: KeyObject } {
  const pair = generateKeyPairSync('x25519')
  return { publicKey: spki(pair.publicKey).toString('base64'), privateKey: pair.privateKey }
}

/** The requester's key from its header; undefined when it is not an X25519 public key. */
export function parseReplyKey(header: string | undefined): KeyObject | undefined {
  if (!header) return undefined
  try {
    const key = createPublicKey({ key: Buffer.from(header, 'base64'), format: 'der', type: 'spki' })
    return key.asymmetricKeyType === 'x25519' ? key : undefined
  } catch {
    return undefined
  }
}

export function sealReply(peer: KeyObject, plaintext: Uint8Array): Uint8Array {
  const own = generateKeyPairSync('x25519')
  const ownPublic = spki(own.publicKey)
  const iv = randomBytes(IV_LENGTH)
  const cipher = createCipheriv(
    'aes-256-gcm',
    keyOf(diffieHellman({ privateKey: own.privateKey, publicKey: peer }), ownPublic),
    iv,
  )
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([ownPublic, iv, cipher.getAuthTag(), body])
}

/** Throws when the answer was not sealed to this key or was altered. */
export function openReply(privateKey: KeyObject, sealed: Uint8Array): Uint8Array {
  const data = Buffer.from(sealed)
  const ownPublic = data.subarray(0, SPKI_LENGTH)
  const peer = createPublicKey({ key: ownPublic, format: 'der', type: 'spki' })
  const iv = data.subarray(SPKI_LENGTH, SPKI_LENGTH + IV_LENGTH)
  const tag = data.subarray(SPKI_LENGTH + IV_LENGTH, SPKI_LENGTH + IV_LENGTH + TAG_LENGTH)
  const decipher = createDecipheriv(
    'aes-256-gcm',
    keyOf(diffieHellman({ privateKey, publicKey: peer }), ownPublic),
    iv,
  )
  decipher.setAuthTag(tag)
  return Buffer.concat([
    decipher.update(data.subarray(SPKI_LENGTH + IV_LENGTH + TAG_LENGTH)),
    decipher.final(),
  ])
}
