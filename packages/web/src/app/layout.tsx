import { Link, Outlet } from '@tanstack/react-router'
import { Avatar } from '../components/avatar'
import { ErrorNote, Loading } from '../components/states'
import { isAdmin, type Session, useSession, useSignOut } from '../data/auth'
import { useWorkspaces } from '../data/workspace'
import { useDashboardLive } from '../live/dashboard-live'
import { useWorkspaceLive } from '../live/workspace-live'
import { CurrentWorkspaceProvider, useCurrentWorkspace, useWorkspaceChoice } from './current-workspace'

const TABS = [
  { to: '/prs', label: 'Pull requests' },
  { to: '/issues', label: 'Issues' },
  { to: '/agent-sessions', label: 'Agent sessions' },
  { to: '/members', label: 'Members' },
  { to: '/authors', label: 'Vetted authors' },
  { to: '/policies', label: 'Check policies' },
  { to: '/starred', label: 'Starred' },
  { to: '/bundle', label: 'AICA bundle' },
  { to: '/settings', label: 'Settings' },
] as const

/** The signed-in frame: header, workspace picker, tabs (the route made sure there is a session). */
export function AppLayout() {
  const session = useSession()
  if (session.isPending) return <Loading what="your session" />
  if (!session.data) return <ErrorNote error={session.error} what="your session" />
  return <Workspaces session={session.data} />
}

function Workspaces({ session }: { session: Session }) {
  const workspaces = useWorkspaces()
  if (workspaces.isPending) return <Loading what="workspaces" />
  if (!workspaces.data) return <ErrorNote error={workspaces.error} what="workspaces" />
  if (!workspaces.data.results.length)
    return (
      <Frame session={session}>
        <p className="empty">You are not a member of any workspace yet. Ask an admin to add you.</p>
      </Frame>
    )
  return (
    <CurrentWorkspaceProvider workspaces={workspaces.data.results}>
      <Live />
      <Frame session={session}>
        <Outlet />
      </Frame>
    </CurrentWorkspaceProvider>
  )
}

/** Keeps the query cache current from the workspace's and the dashboard's sockets while signed in. */
function Live() {
  const { workspace } = useCurrentWorkspace()
  useWorkspaceLive(workspace.id)
  useDashboardLive(workspace.id)
  return null
}

function Frame({ session, children }: { session: Session; children: React.ReactNode }) {
  const signOut = useSignOut()
  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/prs" className="brand">
          Bosun
        </Link>
        <WorkspacePicker />
        <span className="who">
          <Avatar url={session.user.avatarUrl} size={24} />
          <span>
            {session.user.login}
            {isAdmin(session) ? ' (admin)' : ''}
          </span>
          <button
            type="button"
            className="link"
            onClick={() => signOut.mutate(undefined, { onSuccess: () => window.location.assign('/login') })}
          >
            Sign out
          </button>
        </span>
      </header>
      <nav className="tabs" aria-label="Dashboard">
        {TABS.map((t) => (
          <Link key={t.to} to={t.to} activeProps={{ 'aria-current': 'page', className: 'active' }}>
            {t.label}
          </Link>
        ))}
      </nav>
      <main id="main">{children}</main>
    </div>
  )
}

function WorkspacePicker() {
  const current = useWorkspaceChoice()
  if (!current || current.workspaces.length < 2) return null
  return (
    <label className="picker">
      <span>Workspace</span>
      <select value={current.workspace.id} onChange={(e) => current.choose(e.target.value)}>
        {current.workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
    </label>
  )
}
