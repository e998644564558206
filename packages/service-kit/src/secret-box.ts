import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from './errors'
import type { Logger } from './log'

/**
 * AES-256-GCM with a random 96-bit IV per write and additional data binding the ciphertext to its row,
 * so a ciphertext copied into another row fails to open. Format: base64url(iv).base64url(ciphertext+tag).
 */
export type SecretBox = {
  seal(plaintext: string, aad: string): Promise<string>
  open(sealed: string, aad: string): Promise<string>
}

const enc = new TextEncoder()
const dec = new TextDecoder()
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

export async function createSecretBox(base64Key: string): Promise<SecretBox> {
  const raw = Buffer.from(base64Key, 'base64')
  if (raw.length !== 32) throw new Error('The encryption key must be 32 bytes, base64-encoded')
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
  return {
    async seal(plaintext, aad) {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const ct = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: enc.encode(aad) },
        key,
        enc.encode(plaintext),
      )
      return `${b64(iv)}.${b64(new Uint8Array(ct))}`
    },
    async open(sealed, aad) {
      const [iv, ct] = sealed.split('.')
      if (!iv || !ct) throw new AppError('internal', 'Stored secret is malformed')
      try {
        const pt = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: Buffer.from(iv, 'base64url'), additionalData: enc.encode(aad) },
          key,
          Buffer.from(ct, 'base64url'),
        )
        return dec.decode(pt)
      } catch {
        throw new AppError('internal', 'Stored secret failed authentication')
      }
    },
  }
}

export const generateKeyBase64 = () =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')

/**
 * The key given (BOSUN_SECRET_KEY), else one generated once into `<dataDir>/<service>-secret.key`, readable by
 * this user only.
 */
export function secretKeyOrFile(given: string | undefined, dataDir: string, service: string, logger: Logger) {
  if (given) return given
  const file = join(dataDir, `${service}-secret.key`)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const key = generateKeyBase64()
  writeFileSync(file, key, { mode: 0o600 })
  logger.warn('BOSUN_SECRET_KEY is unset: generated one into the data folder', { file })
  return key
}
