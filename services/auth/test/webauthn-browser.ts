import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser'
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core'

/**
 * Real WebAuthn answers for tests: headless Chromium with its virtual authenticator (the DevTools WebAuthn
 * domain), on a page that runs @simplewebauthn/browser. Each origin is a tiny server of its own, so a test
 * can make an honest answer from a site that is not Bosun's.
 */
export type WebAuthnBrowser = {
  /** Serves the page on http://localhost:<port> and hands every other path to `fallback`. */
  origin(fallback?: (req: Request) => Response | Promise<Response>): string
  /** A fresh authenticator (ctap2, internal, resident keys, user verification) on the page at `url`. */
  authenticator(url: string): Promise<Authenticator>
  close(): Promise<void>
}

export type Authenticator = {
  page: Page
  cdp: CDPSession
  id: string
  register(options: object): Promise<RegistrationResponseJSON>
  authenticate(options: object): Promise<AuthenticationResponseJSON>
  remove(): Promise<void>
}

type Lib = { startRegistration: typeof startRegistration; startAuthentication: typeof startAuthentication }

const PAGE = `<!doctype html><html lang="en"><title>webauthn</title>
<script type="module">import * as lib from '/webauthn.js'; window.webauthn = lib</script></html>`

export async function startWebAuthnBrowser(): Promise<WebAuthnBrowser> {
  const built = await Bun.build({
    entrypoints: [Bun.resolveSync('@simplewebauthn/browser', import.meta.dir)],
    format: 'esm',
    target: 'browser',
  })
  const script = await built.outputs[0]!.text()
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  const servers: Array<ReturnType<typeof Bun.serve>> = []

  return {
    origin(fallback) {
      const server = Bun.serve({
        port: 0,
        hostname: '127.0.0.1',
        fetch(req) {
          const path = new URL(req.url).pathname
          if (path === '/') return new Response(PAGE, { headers: { 'content-type': 'text/html' } })
          if (path === '/webauthn.js')
            return new Response(script, { headers: { 'content-type': 'text/javascript' } })
          return fallback ? fallback(req) : new Response('not found', { status: 404 })
        },
      })
      servers.push(server)
      // Browsers refuse an IP address as a relying party id; localhost is a host name and a secure context.
      return `http://localhost:${server.port}`
    },

    async authenticator(url) {
      const page = await browser.newPage()
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('WebAuthn.enable')
      const { authenticatorId: id } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
        },
      })
      await page.goto(`${url}/`)
      await page.waitForFunction(() => 'webauthn' in globalThis)
      return {
        page,
        cdp,
        id,
        register: (options) =>
          page.evaluate(
            (optionsJSON) =>
              (globalThis as unknown as { webauthn: Lib }).webauthn.startRegistration({
                optionsJSON: optionsJSON as PublicKeyCredentialCreationOptionsJSON,
              }),
            options,
          ),
        authenticate: (options) =>
          page.evaluate(
            (optionsJSON) =>
              (globalThis as unknown as { webauthn: Lib }).webauthn.startAuthentication({
                optionsJSON: optionsJSON as PublicKeyCredentialRequestOptionsJSON,
              }),
            options,
          ),
        async remove() {
          await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: id })
          await page.close()
        },
      }
    },

    async close() {
      await browser.close()
      for (const s of servers) s.stop(true)
    },
  }
}
