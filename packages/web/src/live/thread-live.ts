import { useEffect, useReducer, useRef } from 'react'
import type { Item, SessionSnapshot, Thread } from '../data/agent-session'
import { resilientSocket, wsUrl } from './socket'

type Message =
  | { type: 'thread'; thread: Thread }
  | { type: 'item'; item: Item }
  | { type: 'delta'; key: string; text: string }
  | { type: 'error'; error: string; message: string }

export type LiveThread = {
  thread: Thread
  items: Item[]
  /** The text the model is streaming now (never stored; the item replaces it). */
  streaming: string | undefined
  online: boolean
  /** The server's word on the last refused socket message. */
  refusal: string | undefined
}

type Action = { type: 'messages'; msgs: Message[] } | { type: 'online'; online: boolean }

const lastSeq = (items: Item[]) => Number(items.at(-1)?.seq ?? 0)

function reduce(state: LiveThread, action: Action): LiveThread {
  if (action.type === 'online') return { ...state, online: action.online }
  // One copy of the item list per batch, however many items it brings.
  const items = [...state.items]
  let next = state
  for (const msg of action.msgs) next = apply(next, msg, items)
  return { ...next, items: items.length === state.items.length ? state.items : items }
}

/** Items are kept gapless and once each: only the next seq is taken; the socket's `since` resume fills the rest. */
function apply(state: LiveThread, msg: Message, items: Item[]): LiveThread {
  switch (msg.type) {
    case 'thread':
      return { ...state, thread: msg.thread }
    case 'delta':
      return { ...state, streaming: msg.text }
    case 'error':
      return { ...state, refusal: msg.message }
    case 'item': {
      if (Number(msg.item.seq) !== lastSeq(items) + 1) return state
      items.push(msg.item)
      const body = msg.item.body
      const thread =
        body.kind === 'status'
          ? {
              ...state.thread,
              status: body.status,
              error: body.error ?? null,
              statusTimes: { ...state.thread.statusTimes, [body.status]: msg.item.at },
              lastSeq: msg.item.seq,
            }
          : { ...state.thread, lastSeq: msg.item.seq }
      const streaming = body.kind === 'assistant_text' || body.kind === 'status' ? undefined : state.streaming
      return { ...state, thread, streaming }
    }
  }
}

const initial = (snapshot: SessionSnapshot): LiveThread => ({
  thread: snapshot.thread,
  items: snapshot.items,
  streaming: undefined,
  online: false,
  refusal: undefined,
})

/**
 * The thread and its items kept current from `/api/agent-sessions/:id/realtime`, starting from the loaded
 * snapshot; every (re)connect asks `?since=` the last item held, so a dropped connection resumes without a gap
 * or a duplicate. Messages arriving together (a catch-up) are applied as one batch, one render. Viewers
 * connect with `role=viewer`.
 */
export function useThreadLive(snapshot: SessionSnapshot, viewer: boolean) {
  const [state, dispatch] = useReducer(reduce, snapshot, initial)
  // The socket's resume point is what the page holds, read when it (re)connects.
  const held = useRef(state.items)
  held.current = state.items
  const id = snapshot.thread.id
  useEffect(() => {
    let pending: Message[] = []
    let timer: ReturnType<typeof setTimeout> | undefined
    const flush = () => {
      timer = undefined
      const msgs = pending
      pending = []
      dispatch({ type: 'messages', msgs })
    }
    const socket = resilientSocket({
      url: () => {
        const q = new URLSearchParams({ since: String(lastSeq(held.current)) })
        if (viewer) q.set('role', 'viewer')
        return wsUrl(`/api/agent-sessions/${encodeURIComponent(id)}/realtime?${q}`)
      },
      onOpen: () => dispatch({ type: 'online', online: true }),
      onClose: () => dispatch({ type: 'online', online: false }),
      onMessage: (raw) => {
        pending.push(raw as Message)
        timer ??= setTimeout(flush, 0)
      },
    })
    ;(window as unknown as { __bosunThreadSocket?: typeof socket }).__bosunThreadSocket = socket
    return () => {
      clearTimeout(timer)
      socket.close()
    }
  }, [id, viewer])
  return state
}
