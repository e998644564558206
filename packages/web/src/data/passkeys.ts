import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  WebAuthnError,
} from '@simplewebauthn/browser'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { auth } from '../api/clients'
import { ApiError, unwrap } from '../api/errors'

/** The query keys of this module, in one place. */
export const passkeyKeys = { mine: ['auth', 'passkeys'] as const }

export const passkeysSupported = () => browserSupportsWebAuthn()

/** The browser library types extension results as a DOM interface; a copy is the plain record the API takes. */
const plain = <R extends { clientExtensionResults: object }>(
  r: R,
): Omit<R, 'clientExtensionResults'> & { clientExtensionResults: Record<string, unknown> } => ({
  ...r,
  clientExtensionResults: Object.fromEntries(Object.entries(r.clientExtensionResults)),
})

/** The browser's half of a ceremony; its failures (prompt closed, timed out, no passkey) become an ApiError. */
async function ceremony<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof WebAuthnError && err.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')
      throw new ApiError(0, 'passkey_exists', 'This device already holds one of your passkeys.')
    if (err instanceof Error && (err.name === 'NotAllowedError' || err.name === 'AbortError'))
      throw new ApiError(
        0,
        'passkey_cancelled',
        'The passkey prompt was closed or timed out; nothing changed.',
      )
    throw new ApiError(0, 'passkey_browser', `The browser could not use a passkey: ${String(err)}`)
  }
}

export const usePasskeys = () =>
  useQuery({
    queryKey: passkeyKeys.mine,
    queryFn: () => unwrap(auth.GET('/api/auth/passkeys', { params: { query: { page_size: 200 } } })),
  })

export function useRegisterPasskey() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (name: string) => {
      const optionsJSON = await unwrap(auth.POST('/api/auth/passkeys/registration-options'))
      const response = plain(await ceremony(() => startRegistration({ optionsJSON })))
      return unwrap(auth.POST('/api/auth/passkeys', { body: { name, response } }))
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: passkeyKeys.mine }),
  })
}

export function useRenamePasskey() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (v: { id: string; name: string }) =>
      unwrap(
        auth.PATCH('/api/auth/passkeys/{id}', { params: { path: { id: v.id } }, body: { name: v.name } }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: passkeyKeys.mine }),
  })
}

export function useDeletePasskey() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => unwrap(auth.DELETE('/api/auth/passkeys/{id}', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: passkeyKeys.mine }),
  })
}

/** Signs in with a discoverable passkey; auth sets the session cookie and says where to go. */
export function useSignInWithPasskey() {
  return useMutation({
    mutationFn: async (next: string) => {
      const optionsJSON = await unwrap(auth.POST('/api/auth/passkeys/sign-in-options'))
      const response = plain(await ceremony(() => startAuthentication({ optionsJSON })))
      return unwrap(auth.POST('/api/auth/passkeys/sign-in', { body: { response, next } }))
    },
  })
}
