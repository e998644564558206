/**
 * A WebSocket that comes back: on close it reconnects with growing delays (up to 5 s), asking `url()` again
 * each time so the caller can resume (`?since=`). Stops for good on `close()` or when the server refuses
 * the upgrade repeatedly is left to the caller's 401 handling (the next API call sends the person to sign in).
 */
export function resilientSocket(opts: {
  url: () => string
  onMessage: (data: unknown) => void
  onOpen?: () => void
  onClose?: () => void
}) {
  let socket: WebSocket | undefined
  let closed = false
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  const connect = () => {
    if (closed) return
    const ws = new WebSocket(opts.url())
    socket = ws
    ws.onopen = () => {
      attempt = 0
      opts.onOpen?.()
    }
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return
      try {
        opts.onMessage(JSON.parse(e.data))
      } catch {
        // A message that is not JSON is not ours to act on.
      }
    }
    ws.onclose = () => {
      if (closed) return
      opts.onClose?.()
      timer = setTimeout(connect, Math.min(5000, 250 * 2 ** attempt++))
    }
  }
  connect()
  return {
    close() {
      closed = true
      clearTimeout(timer)
      socket?.close()
    },
    /** For tests and diagnostics: drop the connection as a network failure would; it reconnects. */
    drop: () => socket?.close(),
  }
}

export const wsUrl = (path: string) =>
  `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`
