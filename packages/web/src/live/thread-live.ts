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

type Action = { type: 'message'; msg: Message } | { type: 'online'; online: boolean }

const lastSeq = (items: Item[]) => Number(items.at(-1)?.seq ?? 0)

/** Items are kept gapless and once each: only the next seq is taken; the socket's `since` resume fills the rest. */
function reduce(state: LiveThread, action: Action): LiveThread {
  if (action.type === 'online') return { ...state, online: action.online }
  const { msg } = action
  switch (msg.type) {
    case 'thread':
      return { ...state, thread: msg.thread }
    case 'delta':
      return { ...state, streaming: msg.text }
    case 'error':
      return { ...state, refusal: msg.message }
    case 'item': {
      if (Number(msg.item.seq) !== lastSeq(state.items) + 1) return state
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
      return { ...state, thread, items: [...state.items, msg.item], streaming }
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
 * or a duplicate. Viewers connect with `role=viewer`.
 */
export function useThreadLive(snapshot: SessionSnapshot, viewer: boolean) {
  const [state, dispatch] = useReducer(reduce, snapshot, initial)
  // The socket's resume point is what the page holds, read when it (re)connects.
  const held = useRef(state.items)
  held.current = state.items
  const id = snapshot.thread.id
  useEffect(() => {
    const socket = resilientSocket({
      url: () => {
        const q = new URLSearchParams({ since: String(lastSeq(held.current)) })
        if (viewer) q.set('role', 'viewer')
        return wsUrl(`/api/agent-sessions/${encodeURIComponent(id)}/realtime?${q}`)
      },
      onOpen: () => dispatch({ type: 'online', online: true }),
      onClose: () => dispatch({ type: 'online', online: false }),
      onMessage: (raw) => dispatch({ type: 'message', msg: raw as Message }),
    })
    ;(window as unknown as { __bosunThreadSocket?: typeof socket }).__bosunThreadSocket = socket
    return () => socket.close()
  }, [id, viewer])
  return state
}
