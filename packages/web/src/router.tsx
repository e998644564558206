import type { QueryClient } from '@tanstack/react-query'
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  Outlet,
  redirect,
} from '@tanstack/react-router'
import { isUnauthorized } from './api/errors'
import { AppLayout } from './app/layout'
import { sessionQuery } from './data/auth'
import { SessionDetailPage } from './pages/agent-sessions/detail/page'
import { InboxPage, validateInboxSearch } from './pages/agent-sessions/inbox/page'
import { NewSessionPage, validateNewSessionSearch } from './pages/agent-sessions/new/page'
import { ArtifactPage } from './pages/artifacts/page'
import { AuthorsPage } from './pages/authors/page'
import { BundlePage, validateBundleSearch } from './pages/bundle/page'
import { VettedAuthorPage } from './pages/dashboard/vetted-author/page'
import { IssuesPage, validateIssuesSearch } from './pages/issues/page'
import { LoginPage, safeNext } from './pages/login/page'
import { MembersPage } from './pages/members/page'
import { NotFoundPage } from './pages/not-found/page'
import { PoliciesPage } from './pages/policies/page'
import { PrsPage, validatePrsSearch } from './pages/prs/page'
import { SettingsPage } from './pages/settings/page'
import { StarredPage } from './pages/starred/page'

const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined)

const root = createRootRouteWithContext<{ queryClient: QueryClient }>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
})

/** The session, or null when signed out; other failures are the error page's. */
async function sessionOrNull(queryClient: QueryClient) {
  try {
    return await queryClient.ensureQueryData(sessionQuery())
  } catch (err) {
    if (isUnauthorized(err)) return null
    throw err
  }
}

const login = createRoute({
  getParentRoute: () => root,
  path: '/login',
  beforeLoad: async ({ context, search }) => {
    if (await sessionOrNull(context.queryClient)) throw redirect({ href: safeNext(search.next) })
  },
  validateSearch: (s: Record<string, unknown>): { next?: string; error?: string } => ({
    next: text(s.next),
    error: text(s.error),
  }),
  component: function Login() {
    const search = login.useSearch()
    return <LoginPage next={search.next} error={search.error} />
  },
})

/** Every page inside the signed-in frame (session, workspace, tabs). */
const app = createRoute({
  getParentRoute: () => root,
  id: 'app',
  beforeLoad: async ({ context, location }) => {
    if (!(await sessionOrNull(context.queryClient)))
      throw redirect({ to: '/login', search: { next: location.href } })
  },
  component: AppLayout,
})

const index = createRoute({
  getParentRoute: () => app,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/prs', search: { bucket: 'ready' } })
  },
})

const prs = createRoute({
  getParentRoute: () => app,
  path: '/prs',
  validateSearch: validatePrsSearch,
  component: function Prs() {
    return <PrsPage search={prs.useSearch()} />
  },
})

const vettedAuthor = createRoute({
  getParentRoute: () => app,
  path: '/dashboard/vetted-author/$login',
  component: function Author() {
    return <VettedAuthorPage login={vettedAuthor.useParams().login} />
  },
})

const issues = createRoute({
  getParentRoute: () => app,
  path: '/issues',
  validateSearch: validateIssuesSearch,
  component: function Issues() {
    return <IssuesPage search={issues.useSearch()} />
  },
})

const page = <P extends string>(path: P, Component: () => React.ReactNode) =>
  createRoute({ getParentRoute: () => app, path, component: Component })

const bundle = createRoute({
  getParentRoute: () => app,
  path: '/bundle',
  validateSearch: validateBundleSearch,
  component: function Bundle() {
    return <BundlePage search={bundle.useSearch()} />
  },
})

const sessionsInbox = createRoute({
  getParentRoute: () => app,
  path: '/agent-sessions',
  validateSearch: validateInboxSearch,
  component: function Inbox() {
    return <InboxPage search={sessionsInbox.useSearch()} />
  },
})

const newSession = createRoute({
  getParentRoute: () => app,
  path: '/agent-sessions/new',
  validateSearch: validateNewSessionSearch,
  component: function NewSession() {
    return <NewSessionPage search={newSession.useSearch()} />
  },
})

/** The old `/agent-sessions/:thrId` is the gateway's 301 to here (or its 404), so the app has no route for it. */
const sessionDetail = createRoute({
  getParentRoute: () => app,
  path: '/agent-sessions/worktrees/$wtId/threads/$thrId',
  validateSearch: (s: Record<string, unknown>): { role?: 'viewer' } =>
    s.role === 'viewer' ? { role: 'viewer' } : {},
  component: function SessionDetail() {
    const p = sessionDetail.useParams()
    return <SessionDetailPage wtId={p.wtId} thrId={p.thrId} role={sessionDetail.useSearch().role} />
  },
})

const KINDS = ['issue', 'pr'] as const

/** `/artifacts/issue|pr/:owner/:repo/:number`: an issue brief or PR decision log; anything else is not found. */
const artifact = createRoute({
  getParentRoute: () => app,
  path: '/artifacts/$kind/$owner/$repo/$number',
  component: function Artifact() {
    const p = artifact.useParams()
    const kind = KINDS.find((k) => k === p.kind)
    const number = Number(p.number)
    if (!kind || !Number.isInteger(number) || number < 1) return <NotFoundPage />
    return (
      <ArtifactPage
        key={`${kind}/${p.owner}/${p.repo}/${number}`}
        kind={kind}
        owner={p.owner}
        repo={p.repo}
        number={number}
      />
    )
  },
})

const routeTree = root.addChildren([
  login,
  app.addChildren([
    index,
    prs,
    issues,
    page('/members', MembersPage),
    page('/authors', AuthorsPage),
    page('/policies', PoliciesPage),
    page('/starred', StarredPage),
    bundle,
    page('/settings', SettingsPage),
    vettedAuthor,
    sessionsInbox,
    newSession,
    sessionDetail,
    artifact,
  ]),
])

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: 'intent',
    defaultNotFoundComponent: NotFoundPage,
  })
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>
  }
}
