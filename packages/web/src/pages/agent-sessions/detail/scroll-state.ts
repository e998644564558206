import { createContext, startTransition, useContext, useEffect, useState } from 'react'

/** Whether the transcript is being scrolled now: true from a scroll event until `quietMs` pass without one. */
export type ScrollState = { readonly scrolling: boolean; ping(): void; subscribe(fn: () => void): () => void }

export function createScrollState(quietMs = 150): ScrollState {
  const listeners = new Set<() => void>()
  let timer: ReturnType<typeof setTimeout> | undefined
  const state = {
    scrolling: false,
    ping() {
      state.scrolling = true
      clearTimeout(timer)
      timer = setTimeout(() => {
        state.scrolling = false
        for (const l of listeners) l()
      }, quietMs)
    },
    subscribe(fn: () => void) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
  }
  return state
}

export const ScrollStateContext = createContext<ScrollState | undefined>(undefined)

/**
 * False for a row that mounts while the transcript scrolls, until the scrolling stops; true from then on (and
 * at once when mounted at rest). Costly rendering waits for it, so a fast scroll only lays out plain rows.
 */
export function useAtRest(): boolean {
  const state = useContext(ScrollStateContext)
  const [atRest, setAtRest] = useState(() => !state?.scrolling)
  useEffect(() => {
    if (atRest || !state) return
    const settle = () => {
      if (!state.scrolling) startTransition(() => setAtRest(true))
    }
    const off = state.subscribe(settle)
    settle()
    return off
  }, [atRest, state])
  return atRest
}
