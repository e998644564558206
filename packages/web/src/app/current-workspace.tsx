import { createContext, type ReactNode, useContext, useState } from 'react'
import type { Workspace } from '../data/workspace'

const STORAGE_KEY = 'bosun.workspace'

type Current = { workspace: Workspace; workspaces: Workspace[]; choose(id: string): void }
const Context = createContext<Current | null>(null)

/** Which of the person's workspaces the tabs show: the one picked last on this browser, else the first. */
export function CurrentWorkspaceProvider(props: { workspaces: Workspace[]; children: ReactNode }) {
  const [picked, setPicked] = useState(() => localStorage.getItem(STORAGE_KEY))
  const workspace = props.workspaces.find((w) => w.id === picked) ?? props.workspaces[0]
  if (!workspace) return null
  const choose = (id: string) => {
    localStorage.setItem(STORAGE_KEY, id)
    setPicked(id)
  }
  return (
    <Context.Provider value={{ workspace, workspaces: props.workspaces, choose }}>
      {props.children}
    </Context.Provider>
  )
}

/** The current workspace, or null outside a signed-in frame with workspaces. */
export const useWorkspaceChoice = () => useContext(Context)

export function useCurrentWorkspace(): Current {
  const current = useContext(Context)
  if (!current) throw new Error('useCurrentWorkspace outside CurrentWorkspaceProvider')
  return current
}
