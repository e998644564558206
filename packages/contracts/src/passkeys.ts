import { type Static, t } from 'elysia'
import { User } from './auth'
import { Page } from './pagination'

/**
 * WebAuthn shapes as JSON (the W3C `toJSON()` forms that @simplewebauthn/browser sends and reads). Binary
 * fields travel as base64url; the sizes bound what a hostile caller can make the server parse, with room for
 * ML-DSA-44 (post-quantum, offered first where the runtime has it: 2420-byte signatures). Numbers are t.Number:
 * Elysia's t.Integer also takes numeric strings, which the browser library's types do not.
 */
const B64u = (maxLength: number) => t.String({ pattern: '^[A-Za-z0-9_-]*$', maxLength })

const Transport = t.Union([
  t.Literal('ble'),
  t.Literal('cable'),
  t.Literal('hybrid'),
  t.Literal('internal'),
  t.Literal('nfc'),
  t.Literal('smart-card'),
  t.Literal('usb'),
])
const Transports = t.Array(t.String({ maxLength: 32 }), { maxItems: 16 })
const Requirement = t.Union([t.Literal('required'), t.Literal('preferred'), t.Literal('discouraged')])
const Attachment = t.Union([t.Literal('platform'), t.Literal('cross-platform')])
const Hint = t.Union([t.Literal('hybrid'), t.Literal('security-key'), t.Literal('client-device')])
const Extensions = t.Record(t.String(), t.Unknown())
const ExtensionInputs = t.Object({ credProps: t.Optional(t.Boolean()) }, { additionalProperties: true })
const Descriptor = t.Object({
  id: B64u(1400),
  type: t.Literal('public-key'),
  transports: t.Optional(t.Array(Transport)),
})

export const PasskeyRegistrationOptions = t.Object(
  {
    rp: t.Object({ name: t.String(), id: t.Optional(t.String()) }),
    user: t.Object({ id: B64u(128), name: t.String(), displayName: t.String() }),
    challenge: B64u(128),
    pubKeyCredParams: t.Array(t.Object({ alg: t.Number(), type: t.Literal('public-key') })),
    timeout: t.Optional(t.Number()),
    excludeCredentials: t.Optional(t.Array(Descriptor)),
    authenticatorSelection: t.Optional(
      t.Object({
        authenticatorAttachment: t.Optional(Attachment),
        residentKey: t.Optional(Requirement),
        requireResidentKey: t.Optional(t.Boolean()),
        userVerification: t.Optional(Requirement),
      }),
    ),
    hints: t.Optional(t.Array(Hint)),
    attestation: t.Optional(
      t.Union([t.Literal('none'), t.Literal('indirect'), t.Literal('direct'), t.Literal('enterprise')]),
    ),
    extensions: t.Optional(ExtensionInputs),
  },
  { title: 'PasskeyRegistrationOptions', description: 'Hand to startRegistration({ optionsJSON })' },
)
export type PasskeyRegistrationOptions = Static<typeof PasskeyRegistrationOptions>

export const PasskeyAuthenticationOptions = t.Object(
  {
    challenge: B64u(128),
    timeout: t.Optional(t.Number()),
    rpId: t.Optional(t.String()),
    allowCredentials: t.Optional(t.Array(Descriptor)),
    userVerification: t.Optional(Requirement),
    hints: t.Optional(t.Array(Hint)),
    extensions: t.Optional(ExtensionInputs),
  },
  { title: 'PasskeyAuthenticationOptions', description: 'Hand to startAuthentication({ optionsJSON })' },
)
export type PasskeyAuthenticationOptions = Static<typeof PasskeyAuthenticationOptions>

const credentialFields = {
  id: B64u(1400),
  rawId: B64u(1400),
  type: t.Literal('public-key'),
  authenticatorAttachment: t.Optional(Attachment),
  clientExtensionResults: Extensions,
}

export const RegistrationResponse = t.Object(
  {
    ...credentialFields,
    response: t.Object({
      clientDataJSON: B64u(8192),
      attestationObject: B64u(32768),
      authenticatorData: t.Optional(B64u(16384)),
      transports: t.Optional(Transports),
      publicKeyAlgorithm: t.Optional(t.Number()),
      publicKey: t.Optional(B64u(8192)),
    }),
  },
  { title: 'RegistrationResponse', description: 'What startRegistration() resolves to' },
)
export type RegistrationResponse = Static<typeof RegistrationResponse>

export const AuthenticationResponse = t.Object(
  {
    ...credentialFields,
    response: t.Object({
      clientDataJSON: B64u(8192),
      authenticatorData: B64u(16384),
      signature: B64u(8192),
      userHandle: t.Optional(B64u(128)),
    }),
  },
  { title: 'AuthenticationResponse', description: 'What startAuthentication() resolves to' },
)
export type AuthenticationResponse = Static<typeof AuthenticationResponse>

const PasskeyName = t.String({ minLength: 1, maxLength: 100 })

export const PasskeyRegister = t.Object({
  name: t.Optional(PasskeyName),
  response: RegistrationResponse,
})
export type PasskeyRegister = Static<typeof PasskeyRegister>

export const PasskeySignIn = t.Object({
  response: AuthenticationResponse,
  next: t.Optional(t.String({ maxLength: 512, description: 'Where to go once signed in (same-site path)' })),
})
export type PasskeySignIn = Static<typeof PasskeySignIn>

export const PasskeySignedIn = t.Object(
  {
    user: User,
    next: t.String({ description: 'A same-site path to go to; `/` when none or an unsafe one was asked' }),
  },
  { title: 'PasskeySignedIn' },
)
export type PasskeySignedIn = Static<typeof PasskeySignedIn>

/** Why a passkey sign-in was refused; the login page puts each in words. */
export const PasskeyRefusal = t.Union([
  t.Literal('challenge_invalid'),
  t.Literal('unknown_credential'),
  t.Literal('not_invited'),
  t.Literal('verification_failed'),
])
export type PasskeyRefusal = Static<typeof PasskeyRefusal>

export const Passkey = t.Object(
  {
    id: t.String(),
    name: t.String(),
    createdAt: t.String({ format: 'date-time' }),
    lastUsedAt: t.Union([t.String({ format: 'date-time' }), t.Null()]),
    backedUp: t.Boolean({ description: 'Synced by its provider to other devices' }),
    transports: Transports,
  },
  { title: 'Passkey' },
)
export type Passkey = Static<typeof Passkey>
export const PasskeyPage = Page(Passkey, 'PasskeyPage')
export type PasskeyPage = Static<typeof PasskeyPage>
export const PasskeyPatch = t.Object({ name: PasskeyName })
